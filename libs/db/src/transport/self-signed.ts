/**
 * Self-signed certificates as LXD makes them for its server and cluster identities: ECDSA P-384
 * with SHA-384, valid for ten years, usable for both TLS server and client authentication (the
 * cluster certificate is presented in both directions).
 */
import type { ClusterTls } from './cluster-tls';

export interface SelfSignedOptions {
  commonName: string;
  organization?: string;
  /** DNS names and IP addresses for the subjectAltName extension. */
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays?: number;
}

export async function generateSelfSigned(opts: SelfSignedOptions): Promise<ClusterTls> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + (opts.validDays ?? 3650) * 86_400_000);
  const altNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 2 as const, value })),
    ...(opts.ipAddresses ?? []).map((ip) => ({ type: 7 as const, ip })),
  ];
  // Loaded when a certificate is made (first start, tests): it and @peculiar/x509 take ~90 ms to load.
  const { generate } = await import('selfsigned');
  const pems = await generate(
    [
      { name: 'commonName', value: opts.commonName },
      { name: 'organizationName', value: opts.organization ?? 'Cubed' },
    ],
    {
      keyType: 'ec',
      curve: 'P-384',
      algorithm: 'sha384',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        ...(altNames.length ? [{ name: 'subjectAltName' as const, altNames }] : []),
      ],
    },
  );
  return { certPem: pems.cert, keyPem: pems.private };
}
