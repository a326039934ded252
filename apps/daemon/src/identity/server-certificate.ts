/**
 * The member's own certificate (`server.crt`, `server.key` in the state directory), created on
 * first start like LXD's: what it presents on HTTPS until it is clustered, and how it is known
 * to the other members of its cluster (a `server` certificate in the trust store).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ClusterTls, generateSelfSigned } from '@app/db';

export const SERVER_CERT_FILE = 'server.crt';
export const SERVER_KEY_FILE = 'server.key';

export async function loadOrCreateServerCertificate(stateDir: string): Promise<ClusterTls> {
  const certFile = path.join(stateDir, SERVER_CERT_FILE);
  const keyFile = path.join(stateDir, SERVER_KEY_FILE);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
  }
  const tls = await generateSelfSigned({
    commonName: `root@${os.hostname()}`,
    organization: 'Cubed',
    dnsNames: [os.hostname()],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  writeFileAtomically(keyFile, tls.keyPem, 0o600);
  writeFileAtomically(certFile, tls.certPem, 0o644);
  return tls;
}

/** Writes a file through a temporary name, so a crash leaves the old file or the new one. */
export function writeFileAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
