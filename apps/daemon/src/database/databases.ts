/**
 * The member's two databases, opened at start: the local database (database/local.db) and the
 * replicated global database (database/global/). A member whose local database names a cluster
 * address and Raft members runs the global database with its peers over the cluster port; any
 * other member is a cluster of one (Raft node 1, no network), as LXD's standalone mode is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterDatabase, type ClusterTls, type GlobalDatabase, LocalDatabase } from '@app/db';
import { Role } from '@app/raft';
import { databaseTuning } from './database-tuning';

export const CLUSTER_CERT_FILE = 'cluster.crt';
export const CLUSTER_KEY_FILE = 'cluster.key';

export class Databases {
  constructor(
    readonly local: LocalDatabase,
    readonly cluster: ClusterDatabase,
  ) {}

  get global(): GlobalDatabase {
    return this.cluster.db;
  }

  async close(): Promise<void> {
    try {
      await this.cluster.close();
    } finally {
      this.local.close();
    }
  }
}

export interface OpenDatabasesOptions {
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
}

/** The cluster certificate and key from the state directory. */
export function readClusterTls(stateDir: string): ClusterTls {
  const certFile = path.join(stateDir, CLUSTER_CERT_FILE);
  const keyFile = path.join(stateDir, CLUSTER_KEY_FILE);
  try {
    return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
  } catch (err) {
    throw new Error(`cannot read the cluster certificate (${certFile}, ${keyFile}): ${(err as Error).message}`);
  }
}

export async function openDatabases(opts: OpenDatabasesOptions): Promise<Databases> {
  const dbDir = path.join(opts.stateDir, 'database');
  fs.mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  const local = LocalDatabase.open(path.join(dbDir, 'local.db'));
  try {
    const driver = databaseTuning(opts.env);
    const onWarning = opts.warn;
    const globalDir = path.join(dbDir, 'global');
    const address = local.getConfig('cluster.https_address');
    const nodes = local.raftNodes();
    let cluster: ClusterDatabase;
    if (address && nodes.length > 0) {
      const self = nodes.find((n) => n.address === address);
      if (!self) {
        throw new Error(
          `the local database's cluster.https_address ${address} is not among its Raft members (${nodes.map((n) => `${n.id}=${n.address}`).join(', ')})`,
        );
      }
      cluster = await ClusterDatabase.open({
        dir: globalDir,
        id: self.id,
        peers: nodes.map((n) => ({ id: n.id, address: n.address, name: n.name })),
        network: { address, tls: readClusterTls(opts.stateDir) },
        driver,
        onWarning,
      });
    } else {
      cluster = await ClusterDatabase.open({
        dir: globalDir,
        id: 1,
        peers: [{ id: 1, address: '', name: '' }],
        bootstrap: [{ id: 1, role: Role.Voter }],
        driver,
        onWarning,
      });
    }
    return new Databases(local, cluster);
  } catch (err) {
    local.close();
    throw err;
  }
}
