/**
 * The cluster certificate and key in the state directory (cluster.crt, cluster.key, as LXD's).
 * Many requests need them (GET /1.0 shows the certificate, peers connect with it), so the files
 * are read again only when they changed: clustering writes them by renaming new files into place,
 * and a file's inode, size and modification time identify what was read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterTls } from '@app/db';

export const CLUSTER_CERT_FILE = 'cluster.crt';
export const CLUSTER_KEY_FILE = 'cluster.key';

interface CachedTls {
  identity: string;
  tls: ClusterTls;
}

const cache = new Map<string, CachedTls>();

function fileIdentity(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

/** The cluster certificate and key from the state directory. */
export function readClusterTls(stateDir: string): ClusterTls {
  const certFile = path.join(stateDir, CLUSTER_CERT_FILE);
  const keyFile = path.join(stateDir, CLUSTER_KEY_FILE);
  try {
    const identity = `${fileIdentity(certFile)}/${fileIdentity(keyFile)}`;
    const cached = cache.get(stateDir);
    if (cached?.identity === identity) return cached.tls;
    const tls = { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
    cache.set(stateDir, { identity, tls });
    return tls;
  } catch (err) {
    cache.delete(stateDir);
    throw new Error(`cannot read the cluster certificate (${certFile}, ${keyFile}): ${(err as Error).message}`);
  }
}
