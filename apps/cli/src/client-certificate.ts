import { createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSelfSigned } from '@app/db/transport/self-signed';
import type { TlsIdentity } from './https-client';

/** The organisation lxc puts in client certificates. */
const ORGANIZATION = 'linuxcontainers.org';
/** lxc's client certificates are valid for ten years of 365 days. */
const VALIDITY_DAYS = 3650;

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
  const made = await generateSelfSigned({
    commonName: `${userName()}@${hostName()}`,
    organization: ORGANIZATION,
    organizationFirst: true,
    extendedKeyUsage: ['clientAuth'],
    validDays: VALIDITY_DAYS,
  });
  const key = createPrivateKey(made.keyPem).export({ type: 'sec1', format: 'pem' }).toString();
  const cert = made.certPem;
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
