/**
 * The member's two databases, opened at start: the local database (database/local.db) and the
 * replicated global database (database/global/). A member whose local database names a cluster
 * address and Raft members runs the global database with its peers (gRPC through the daemon's own
 * port); any other member is a cluster of one (Raft node 1, no network), as LXD's standalone mode
 * is. Enabling clustering, joining and leaving reopen the global database from the local state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterDatabase, type GlobalDatabase, LocalDatabase, type RaftNodeInfo } from '@app/db';
import { Role } from '@app/raft';
import { readClusterTls } from './cluster-tls-files';
import { databaseTuning } from './database-tuning';

export interface OpenDatabasesOptions {
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
}

/** This member's place in its cluster, from the local database. */
export interface LocalClusterState {
  address: string;
  self: RaftNodeInfo;
  nodes: RaftNodeInfo[];
}

export class Databases {
  private current: ClusterDatabase;
  private readonly reopenListeners = new Set<() => void>();
  /** clusterState() as of a revision of the local database (it is asked for on every request). */
  private cachedState?: { revision: number; state: LocalClusterState | undefined };

  private constructor(
    readonly local: LocalDatabase,
    cluster: ClusterDatabase,
    private readonly opts: OpenDatabasesOptions,
  ) {
    this.current = cluster;
  }

  static async open(opts: OpenDatabasesOptions): Promise<Databases> {
    const dbDir = path.join(opts.stateDir, 'database');
    fs.mkdirSync(dbDir, { recursive: true, mode: 0o700 });
    const local = LocalDatabase.open(path.join(dbDir, 'local.db'));
    try {
      return new Databases(local, await openCluster(local, opts), opts);
    } catch (err) {
      local.close();
      throw err;
    }
  }

  get cluster(): ClusterDatabase {
    return this.current;
  }

  get global(): GlobalDatabase {
    return this.current.db;
  }

  get globalDir(): string {
    return path.join(this.opts.stateDir, 'database', 'global');
  }

  /** The member's cluster state, or undefined when it is not clustered. */
  clusterState(): LocalClusterState | undefined {
    const revision = this.local.revision;
    if (this.cachedState?.revision !== revision) this.cachedState = { revision, state: localClusterState(this.local) };
    return this.cachedState.state;
  }

  get clustered(): boolean {
    return this.clusterState() !== undefined;
  }

  /**
   * Closes the global database and opens it again from what the local database now says
   * (clustered or not). `wipe`: its files are deleted first (a member joining a cluster, or
   * leaving one, starts from an empty replica).
   */
  async reopen(opts: { wipe?: boolean } = {}): Promise<void> {
    await this.current.close();
    if (opts.wipe) fs.rmSync(this.globalDir, { recursive: true, force: true });
    this.current = await openCluster(this.local, this.opts);
    for (const l of [...this.reopenListeners]) l();
  }

  onReopen(listener: () => void): () => void {
    this.reopenListeners.add(listener);
    return () => this.reopenListeners.delete(listener);
  }

  async close(): Promise<void> {
    try {
      await this.current.close();
    } finally {
      this.local.close();
    }
  }
}

export function localClusterState(local: LocalDatabase): LocalClusterState | undefined {
  const address = local.getConfig('cluster.https_address');
  const nodes = local.raftNodes();
  if (!address || nodes.length === 0) return undefined;
  const self = nodes.find((n) => n.address === address);
  if (!self) {
    throw new Error(
      `the local database's cluster.https_address ${address} is not among its Raft members (${nodes.map((n) => `${n.id}=${n.address}`).join(', ')})`,
    );
  }
  return { address, self, nodes };
}

async function openCluster(local: LocalDatabase, opts: OpenDatabasesOptions): Promise<ClusterDatabase> {
  const driver = databaseTuning(opts.env);
  const onWarning = opts.warn;
  const dir = path.join(opts.stateDir, 'database', 'global');
  const state = localClusterState(local);
  if (state) {
    return ClusterDatabase.open({
      dir,
      id: state.self.id,
      peers: state.nodes.map((n) => ({ id: n.id, address: n.address, name: n.name })),
      network: { address: state.address, tls: readClusterTls(opts.stateDir), listen: false },
      driver,
      onWarning,
    });
  }
  return ClusterDatabase.open({
    dir,
    id: 1,
    peers: [{ id: 1, address: '', name: '' }],
    bootstrap: [{ id: 1, role: Role.Voter }],
    driver,
    onWarning,
  });
}

/** Kept for callers that open the databases in one step. */
export function openDatabases(opts: OpenDatabasesOptions): Promise<Databases> {
  return Databases.open(opts);
}
