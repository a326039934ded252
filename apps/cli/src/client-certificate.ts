import { createPrivateKey, webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TlsIdentity } from './https-client';

/** The organisation lxc puts in client certificates. */
const ORGANIZATION = 'linuxcontainers.org';
/** lxc's client certificates are valid for ten years of 365 days. */
const VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;

/** OIDs of the extended key usages. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** The client certificate and key at these paths, if both exist. */
export function readClientCertificate(certPath: string, keyPath: string): TlsIdentity | undefined {
  try {
    return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes a new self-signed client certificate like lxc's (shared.GenerateMemCert for a client): an ECDSA P-384
 * key, subject O=linuxcontainers.org, CN=<user>@<host>, a random 128-bit serial, valid for ten years, key usage
 * digital signature and key encipherment, extended key usage client authentication, not a CA, signed with
 * ECDSA-SHA384. The certificate is written as PEM (0644) and the key as a SEC 1 `EC PRIVATE KEY` (0600).
 */
export async function generateClientCertificate(certPath: string, keyPath: string): Promise<TlsIdentity> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] &= 0x7f;
  if (serial[0] === 0) serial[0] = 0x01;
  const notBefore = new Date();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ '2.5.4.10': [ORGANIZATION] }, { '2.5.4.3': [`${userName()}@${hostName()}`] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + VALIDITY_MS),
    signingAlgorithm: ALGORITHM,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([CLIENT_AUTH]),
      new x509.BasicConstraintsExtension(false, undefined, true),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    .export({ type: 'sec1', format: 'pem' })
    .toString();
  const cert = certificate.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n';
  fs.mkdirSync(path.dirname(certPath), { recursive: true, mode: 0o750 });
  fs.writeFileSync(keyPath, key, { mode: 0o600 });
  fs.writeFileSync(certPath, cert, { mode: 0o644 });
  return { cert, key };
}

function userName(): string {
  try {
    return os.userInfo().username || 'UNKNOWN';
  } catch {
    return 'UNKNOWN';
  }
}

function hostName(): string {
  return os.hostname() || 'UNKNOWN';
}
