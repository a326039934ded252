/**
 * ClusterDatabase: everything a member runs for the replicated global database, wired together and
 * started in order: the Raft log store and the global state machine (files under `dir`), the
 * RaftDriver, the transport (gRPC with mutual TLS on the member's cluster port, or none for a member
 * alone in its cluster), forwarding to the leader, the GlobalDatabase client API and the schema
 * migrations. `close()` stops them in reverse order.
 *
 * Files: <dir>/global.db (the replica, SQLite) and <dir>/raft/ (log segments, hard state, snapshots).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import type { Membership, NodeId } from '@app/raft';
import { GLOBAL_SCHEMA_VERSION } from './global/global-schema';
import { GlobalStateMachine } from './global/global-state-machine';
import { RaftLogStore } from './raft-storage/raft-log-store';
import { type MemberRef } from './replication/db-errors';
import { GlobalDatabase, type GlobalDatabaseOptions } from './replication/global-database';
import { PeerDirectory } from './replication/peer-directory';
import { RaftDriver, type RaftDriverOptions } from './replication/raft-driver';
import { type RaftTransport, SoloTransport } from './replication/raft-transport';
import { SchemaMigrator } from './replication/schema-migrator';
import { ClusterListener, grpcConnectionHandler } from './transport/cluster-listener';
import { clusterServiceHandlers, newClusterGrpcServer } from './transport/cluster-service-handlers';
import { SERVER_OPTIONS } from './transport/cluster-service';
import type { ClusterTls } from './transport/cluster-tls';
import { GrpcLeaderLink } from './transport/grpc-leader-link';
import { GrpcRaftTransport } from './transport/grpc-raft-transport';

export interface ClusterNetworkOptions {
  /** host:port this member listens on (its cluster address). */
  address: string;
  tls: ClusterTls;
  /** Takes the HTTP/1.1 (REST API) connections of the shared port. */
  http?: (socket: tls.TLSSocket) => void;
  /**
   * false: open no port; the owner of the member's port hands gRPC connections of peers to
   * acceptGrpcConnection() (the daemon, which serves its REST API on the same port).
   */
  listen?: boolean;
}

export interface ClusterDatabaseOptions {
  /** Directory of global.db and raft/. */
  dir: string;
  /** This member's Raft node id. */
  id: NodeId;
  /** Every member's address and name (this member included). */
  peers: MemberRef[];
  /** Without it the member is alone: no port, no peers. */
  network?: ClusterNetworkOptions;
  /** The founding membership, written when the log is empty (a member that joins has none). */
  bootstrap?: Membership;
  driver?: Pick<RaftDriverOptions, 'tickMs' | 'snapshotEvery' | 'raft' | 'clock' | 'onFatal'>;
  db?: Pick<GlobalDatabaseOptions, 'execTimeoutMs' | 'queryTimeoutMs' | 'noLeaderTimeoutMs' | 'leaderValues'>;
  /** Told of problems that do not stop the database (a failed migration attempt, a refused peer). */
  onWarning?: (message: string) => void;
}

export class ClusterDatabase {
  private closed = false;

  private constructor(
    readonly db: GlobalDatabase,
    readonly driver: RaftDriver,
    readonly peers: PeerDirectory,
    private readonly store: RaftLogStore,
    private readonly sm: GlobalStateMachine,
    private readonly transport: RaftTransport,
    private readonly migrator: SchemaMigrator,
    private readonly link?: GrpcLeaderLink,
    private readonly listener?: ClusterListener,
    private readonly grpc?: { handle: (socket: tls.TLSSocket) => void; close: () => void },
  ) {}

  static async open(opts: ClusterDatabaseOptions): Promise<ClusterDatabase> {
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const store = RaftLogStore.open(path.join(opts.dir, 'raft'));
    let sm: GlobalStateMachine | undefined;
    let transport: RaftTransport | undefined;
    let listener: ClusterListener | undefined;
    let grpc: { handle: (socket: tls.TLSSocket) => void; close: () => void } | undefined;
    try {
      if (opts.bootstrap) RaftDriver.bootstrap(store, opts.bootstrap);
      sm = GlobalStateMachine.open(path.join(opts.dir, 'global.db'));
      const peers = new PeerDirectory(opts.peers);
      let link: GrpcLeaderLink | undefined;
      let grpcTransport: GrpcRaftTransport | undefined;
      if (opts.network) {
        grpcTransport = new GrpcRaftTransport({
          id: opts.id,
          peers,
          tls: opts.network.tls,
          onBadFrame: (from, err) => opts.onWarning?.(`dropped an undecodable Raft frame from ${from}: ${err.message}`),
        });
        transport = grpcTransport;
        link = new GrpcLeaderLink(grpcTransport, peers);
      } else {
        transport = new SoloTransport();
      }
      const driver = new RaftDriver({ id: opts.id, store, stateMachine: sm, transport, ...opts.driver });
      driver.start();
      const db = new GlobalDatabase({ driver, stateMachine: sm, peers, transport, link, ...opts.db });
      if (opts.network && grpcTransport) {
        grpc = grpcConnectionHandler(newClusterGrpcServer(clusterServiceHandlers(grpcTransport, () => db), SERVER_OPTIONS));
        if (opts.network.listen !== false) {
          listener = new ClusterListener({
            address: opts.network.address,
            tls: opts.network.tls,
            grpc: grpc.handle,
            http: opts.network.http,
            onRefused: (remote) => opts.onWarning?.(`refused a cluster connection from ${remote}: it did not present the cluster certificate`),
          });
          await listener.listen();
        }
      }
      const migrator = new SchemaMigrator(driver, db, (err) => opts.onWarning?.(`schema migration: ${err.message}`));
      return new ClusterDatabase(db, driver, peers, store, sm, transport, migrator, link, listener, grpc);
    } catch (err) {
      await listener?.close().catch(() => undefined);
      grpc?.close();
      await transport?.close().catch(() => undefined);
      sm?.close();
      store.close();
      throw err;
    }
  }

  /** Serves the gRPC connection of a peer (it presented the cluster certificate) on the cluster service. */
  acceptGrpcConnection(socket: tls.TLSSocket): void {
    if (!this.grpc || this.closed) {
      socket.destroy();
      return;
    }
    this.grpc.handle(socket);
  }

  /** The error the database stopped on (a full disk, an I/O error), if it did. */
  get failure(): Error | undefined {
    return this.driver.failure;
  }

  /** The port the cluster listener bound (0 without a network). */
  get port(): number {
    return this.listener?.port ?? 0;
  }

  /**
   * Resolves once this member's replica holds the current schema (the migrations have been applied
   * through the log); rejects after `timeoutMs`.
   */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closed) throw new Error('the cluster database is closed');
      if (this.driver.failure) throw this.driver.failure;
      const role = this.driver.status().memberRole;
      const hasReplica = role === 'voter' || role === 'standby';
      let version = 0;
      if (hasReplica) {
        version = this.migrator.localVersion();
      } else {
        try {
          const [row] = await this.db.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema', [], { timeoutMs: 2000 });
          version = Number(row?.v ?? 0);
        } catch {
          version = 0; // no schema table yet, or no leader yet
        }
      }
      if (version >= GLOBAL_SCHEMA_VERSION) return;
      if (Date.now() >= deadline) {
        throw new Error(`the global database schema is at version ${version}, not ${GLOBAL_SCHEMA_VERSION}, after ${timeoutMs} ms (is a leader elected?)`);
      }
      // A replica is checked locally (cheap): often, so that start and join do not wait on the poll.
      await new Promise((r) => setTimeout(r, hasReplica ? 5 : 20));
    }
  }

  /**
   * This member is about to stop: the other members are told at once, so that they stop counting
   * on it (a leader handing over its leadership picks another member). close() does it too.
   */
  prepareToStop(): void {
    if (!this.closed) this.db.prepareToStop();
  }

  /**
   * Stops the database: no new requests, the port closed, files flushed and closed. Idempotent.
   * Every step runs even when one before it fails (files that cannot be flushed, on a full disk,
   * are closed all the same); the first failure is thrown at the end.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.prepareToStop();
    this.closed = true;
    let failure: unknown;
    const step = async (run: () => unknown): Promise<void> => {
      try {
        await run();
      } catch (err) {
        failure ??= err;
      }
    };
    await step(() => this.migrator.stop());
    await step(() => this.db.close());
    await step(() => this.driver.stop());
    await step(() => this.link?.close());
    await step(() => this.listener?.close());
    await step(() => this.grpc?.close());
    await step(() => this.transport.close());
    await step(() => this.sm.close());
    await step(() => this.store.close());
    if (failure !== undefined) throw failure;
  }
}
