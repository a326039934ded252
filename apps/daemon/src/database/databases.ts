/**
 * The member's two databases, opened at start: the local database (database/local.db) and the
 * replicated global database (database/global/). A member whose local database names a cluster
 * address and Raft members runs the global database with its peers (gRPC through the daemon's own
 * port); any other member is a cluster of one (Raft node 1, no network), as LXD's standalone mode
 * is. Enabling clustering, joining and leaving reopen the global database from the local state.
 *
 * A global database that stops on an error (a full disk, an I/O error) is opened again a few
 * seconds later, and again, further apart, until it runs: meanwhile its requests fail with the
 * error, and the other members do not count on it (it told them it is out).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterDatabase, DbClosedError, type GlobalDatabase, LocalDatabase, type RaftNodeInfo } from '@app/db';
import { Role } from '@app/raft';
import { readClusterTls } from './cluster-tls-files';
import { databaseReopenAfterMs, databaseTuning } from './database-tuning';

export interface OpenDatabasesOptions {
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  /** First wait before the global database is opened again after it stopped on an error (default: CUBED_DB_REOPEN_AFTER_MS, or 5000 ms). */
  reopenAfterMs?: number;
}

/** The longest wait between two attempts to open a stopped global database again. */
const MAX_REOPEN_WAIT_MS = 60_000;

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
  /** The next attempt to open the global database again after it stopped on an error. */
  private reopenTimer?: NodeJS.Timeout;
  private readonly firstReopenWaitMs: number;
  private reopenWaitMs: number;
  private reopenedAt = 0;
  /** The failure last told of (the driver's report and a check after opening may both see it). */
  private reportedFailure?: Error;
  private closed = false;

  private constructor(
    readonly local: LocalDatabase,
    cluster: ClusterDatabase,
    private readonly opts: OpenDatabasesOptions,
  ) {
    this.current = cluster;
    this.firstReopenWaitMs = opts.reopenAfterMs ?? databaseReopenAfterMs(opts.env) ?? 5000;
    this.reopenWaitMs = this.firstReopenWaitMs;
  }

  static async open(opts: OpenDatabasesOptions): Promise<Databases> {
    const dbDir = path.join(opts.stateDir, 'database');
    fs.mkdirSync(dbDir, { recursive: true, mode: 0o700 });
    const local = LocalDatabase.open(path.join(dbDir, 'local.db'));
    try {
      let databases: Databases | undefined;
      const cluster = await openCluster(local, opts, (failed, err) => databases?.stoppedOnError(failed, err));
      databases = new Databases(local, cluster, opts);
      // It may have stopped while it was being opened, before anyone was there to be told.
      if (cluster.failure) databases.stoppedOnError(cluster, cluster.failure);
      return databases;
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
    const failed = this.current.failure;
    try {
      await this.current.close();
    } catch (err) {
      // A database that stopped on an error may fail to flush its files (a full disk): what is not
      // flushed is in the WAL and the log, which the next open reads.
      if (!failed) throw err;
    }
    if (opts.wipe) fs.rmSync(this.globalDir, { recursive: true, force: true });
    this.current = await openCluster(this.local, this.opts, (failed, err) => this.stoppedOnError(failed, err));
    for (const l of [...this.reopenListeners]) l();
  }

  /** The global database `failed` stopped on `err`: it is opened again later (see the header). */
  private stoppedOnError(failed: ClusterDatabase, err: Error): void {
    if (failed !== this.current || this.closed || err === this.reportedFailure) return;
    this.reportedFailure = err;
    // A database that ran a good while since it was last opened again starts over with short waits.
    if (Date.now() - this.reopenedAt >= MAX_REOPEN_WAIT_MS) this.reopenWaitMs = this.firstReopenWaitMs;
    this.opts.warn?.(`${DbClosedError.stoppedBy(err).message}; it is opened again in ${seconds(this.reopenWaitMs)}`);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.reopenTimer || this.closed) return;
    const wait = this.reopenWaitMs;
    // Each attempt in a row waits twice as long (a disk that is still full fails it again).
    this.reopenWaitMs = Math.min(wait * 2, MAX_REOPEN_WAIT_MS);
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.closed || !this.current.failure) return; // opened again meanwhile (a join, a leave)
      this.reopenedAt = Date.now();
      this.reopen().then(
        () => {
          // It may have stopped again while it was being opened, before it was the current one.
          const failure = this.current.failure;
          if (failure) this.stoppedOnError(this.current, failure);
          else this.opts.warn?.('the cluster database was opened again');
        },
        (e: Error) => {
          this.opts.warn?.(`the cluster database could not be opened again: ${e.message}; next attempt in ${seconds(this.reopenWaitMs)}`);
          this.scheduleReopen();
        },
      );
    }, wait);
    this.reopenTimer.unref();
  }

  onReopen(listener: () => void): () => void {
    this.reopenListeners.add(listener);
    return () => this.reopenListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    try {
      await this.current.close();
    } finally {
      this.local.close();
    }
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
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

async function openCluster(
  local: LocalDatabase,
  opts: OpenDatabasesOptions,
  stoppedOnError: (cluster: ClusterDatabase, err: Error) => void,
): Promise<ClusterDatabase> {
  let opened: ClusterDatabase | undefined;
  const driver = {
    ...databaseTuning(opts.env),
    // The driver stops on its own; the member opens the database again later.
    onFatal: (err: Error) => setImmediate(() => opened && stoppedOnError(opened, err)),
  };
  const onWarning = opts.warn;
  const dir = path.join(opts.stateDir, 'database', 'global');
  const state = localClusterState(local);
  if (state) {
    opened = await ClusterDatabase.open({
      dir,
      id: state.self.id,
      peers: state.nodes.map((n) => ({ id: n.id, address: n.address, name: n.name })),
      network: { address: state.address, tls: readClusterTls(opts.stateDir), listen: false },
      driver,
      onWarning,
    });
    return opened;
  }
  opened = await ClusterDatabase.open({
    dir,
    id: 1,
    peers: [{ id: 1, address: '', name: '' }],
    bootstrap: [{ id: 1, role: Role.Voter }],
    driver,
    onWarning,
  });
  return opened;
}

/** Kept for callers that open the databases in one step. */
export function openDatabases(opts: OpenDatabasesOptions): Promise<Databases> {
  return Databases.open(opts);
}
