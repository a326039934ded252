import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { generateSelfSigned } from '@app/db/transport/self-signed';

/** A self-signed server certificate for 127.0.0.1, as a test HTTPS daemon presents it. */
export interface ServerIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
}

export async function serverIdentity(commonName = 'root@test'): Promise<ServerIdentity> {
  const made = await generateSelfSigned({
    commonName,
    organization: 'linuxcontainers.org',
    organizationFirst: true,
    extendedKeyUsage: ['serverAuth'],
    ipAddresses: ['127.0.0.1'],
    validDays: 1,
  });
  const key = createPrivateKey(made.keyPem).export({ type: 'sec1', format: 'pem' }).toString();
  const fingerprint = createHash('sha256').update(new X509Certificate(made.certPem).raw).digest('hex');
  return { cert: made.certPem, key, fingerprint };
}
