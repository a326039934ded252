/**
 * An in-process cluster for the replication specs: real log stores and SQLite databases in a temp
 * directory, real RaftDrivers on the real clock, and an in-memory network between them that can
 * be cut (partitions) and members that can be stopped and restarted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Message, type NodeId, Role } from '@app/raft';
import { GlobalStateMachine, type RawRows } from '../global/global-state-machine';
import type { SqlParam } from '../global/replicated-tx';
import { RaftLogStore } from '../raft-storage/raft-log-store';
import { GlobalDatabase, type GlobalDatabaseOptions } from './global-database';
import { type ExecResult, ForwardLostError, ForwardUnavailableError, type LeaderLink, type ReadConsistency } from './leader-link';
import { PeerDirectory } from './peer-directory';
import { RaftDriver, type RaftDriverOptions } from './raft-driver';
import type { RaftTransport } from './raft-transport';

/** The key-value table the replication specs write to, and one row of it. */
export const KV_SCHEMA = { statements: [{ sql: 'CREATE TABLE kv (k TEXT PRIMARY KEY, v)', params: [] }] };
export const putKv = (k: string, v: number) => ({ statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: [k, v] }] });

export class MemoryNetwork {
  private readonly receivers = new Map<NodeId, (m: Message) => void>();
  /** Pairs that cannot talk, as "a-b" with a < b. */
  private readonly cut = new Set<string>();
  readonly down = new Set<NodeId>();
  /** Members that announced they are stopping. */
  readonly leaving = new Set<NodeId>();

  private key(a: NodeId, b: NodeId): string {
    return a < b ? `${a}-${b}` : `${b}-${a}`;
  }

  connected(a: NodeId, b: NodeId): boolean {
    return a === b || (!this.cut.has(this.key(a, b)) && !this.down.has(a) && !this.down.has(b) && this.receivers.has(b));
  }

  /** Cuts every link between the two groups. */
  partition(a: NodeId[], b: NodeId[]): void {
    for (const x of a) for (const y of b) this.cut.add(this.key(x, y));
  }

  heal(): void {
    this.cut.clear();
  }

  transport(id: NodeId): RaftTransport {
    return {
      send: (messages) => {
        for (const m of messages) {
          if (!this.connected(id, m.to)) continue;
          const receive = this.receivers.get(m.to)!;
          setImmediate(() => {
            if (this.connected(id, m.to)) receive(m);
          });
        }
      },
      setReceiver: (receive) => {
        this.receivers.set(id, receive);
      },
      isReachable: (peer) => this.connected(id, peer) && !this.leaving.has(peer),
      heardFromRecently: (peer) => this.connected(id, peer) && !this.leaving.has(peer),
      announceLeaving: () => {
        this.leaving.add(id);
      },
      isLeaving: (peer) => this.leaving.has(peer),
      close: async () => {
        this.receivers.delete(id);
      },
    };
  }
}

/** Forwarding between in-process members: errors cross as they are. */
class MemoryLink implements LeaderLink {
  constructor(
    private readonly from: NodeId,
    private readonly cluster: TestCluster,
  ) {}

  private target(id: NodeId): GlobalDatabase {
    const m = this.cluster.members.get(id);
    if (!m?.db || !this.cluster.net.connected(this.from, id)) throw new ForwardUnavailableError(id, `member ${id} cannot be reached`);
    return m.db;
  }

  async exec(target: NodeId, wireTx: Uint8Array, timeoutMs: number): Promise<ExecResult> {
    const served = this.target(target).execForwarded(wireTx, timeoutMs);
    if (this.cluster.holdAnswer?.(this.from, target)) {
      served.catch(() => undefined);
      return new Promise<ExecResult>(() => undefined);
    }
    const result = await served;
    if (this.cluster.loseAnswer?.(this.from, target)) throw new ForwardLostError(target, `the answer of member ${target} was lost`);
    return result;
  }

  async query(target: NodeId, sql: string, params: readonly SqlParam[], consistency: ReadConsistency, timeoutMs: number): Promise<RawRows> {
    return this.target(target).queryForwarded(sql, params, consistency, timeoutMs);
  }
}

export interface TestMember {
  id: NodeId;
  dir: string;
  store?: RaftLogStore;
  sm?: GlobalStateMachine;
  driver?: RaftDriver;
  db?: GlobalDatabase;
  /** Calls of the log store's save() (synchronous: on the event loop). */
  saves: number;
  /** Calls of the log store's saveAsync() (synced on the thread pool). */
  asyncSaves: number;
}

export interface TestClusterOptions {
  driver?: Partial<Omit<RaftDriverOptions, 'id' | 'store' | 'stateMachine' | 'transport'>>;
  db?: Partial<Omit<GlobalDatabaseOptions, 'driver' | 'stateMachine' | 'peers' | 'transport' | 'link'>>;
}

export class TestCluster {
  readonly net = new MemoryNetwork();
  readonly members = new Map<NodeId, TestMember>();
  readonly peers: PeerDirectory;
  readonly root: string;
  /** Called after a member served a write forwarded to it: true drops the answer, as a broken connection would. */
  loseAnswer?: (from: NodeId, target: NodeId) => boolean;
  /** Called when a member forwards a write: true means no answer ever comes, as from a member that hangs. */
  holdAnswer?: (from: NodeId, target: NodeId) => boolean;

  constructor(
    readonly ids: NodeId[],
    private readonly opts: TestClusterOptions = {},
    roles: Partial<Record<NodeId, Role>> = {},
  ) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-repl-'));
    this.peers = new PeerDirectory(ids.map((id) => ({ id, address: `10.0.0.${id}:8443`, name: `n${id}` })));
    const membership = ids.map((id) => ({ id, role: roles[id] ?? Role.Voter }));
    for (const id of ids) {
      const dir = path.join(this.root, `n${id}`);
      fs.mkdirSync(dir);
      const store = RaftLogStore.open(path.join(dir, 'raft'));
      RaftDriver.bootstrap(store, membership);
      store.close();
      this.members.set(id, { id, dir, saves: 0, asyncSaves: 0 });
    }
  }

  start(id: NodeId): GlobalDatabase {
    const m = this.members.get(id)!;
    const store = RaftLogStore.open(path.join(m.dir, 'raft'));
    const save = store.save.bind(store);
    store.save = (rd) => {
      m.saves++;
      save(rd);
    };
    const saveAsync = store.saveAsync.bind(store);
    store.saveAsync = (rd, done) => {
      m.asyncSaves++;
      saveAsync(rd, done);
    };
    const sm = GlobalStateMachine.open(path.join(m.dir, 'global.db'));
    const transport = this.net.transport(id);
    const driver = new RaftDriver({ id, store, stateMachine: sm, transport, ...this.opts.driver });
    driver.start();
    const db = new GlobalDatabase({ driver, stateMachine: sm, peers: this.peers, transport, link: new MemoryLink(id, this), ...this.opts.db });
    this.net.down.delete(id);
    this.net.leaving.delete(id);
    Object.assign(m, { store, sm, driver, db });
    return db;
  }

  startAll(): void {
    for (const id of this.ids) this.start(id);
  }

  /** Stops a member as a crash would (its files stay). */
  stop(id: NodeId): void {
    const m = this.members.get(id)!;
    this.net.down.add(id);
    m.db?.close();
    m.driver?.stop();
    m.sm?.close();
    m.store?.close();
    m.db = m.driver = m.sm = m.store = undefined;
  }

  /**
   * Stops a member as a power cut would: the log store is abandoned without close(), so what it
   * keeps in memory (a commit index not yet written) is lost; the replica's file stays as it is.
   */
  crash(id: NodeId): void {
    const m = this.members.get(id)!;
    this.net.down.add(id);
    m.db?.close();
    m.driver?.stop();
    m.sm?.close();
    m.db = m.driver = m.sm = m.store = undefined;
  }

  db(id: NodeId): GlobalDatabase {
    const db = this.members.get(id)?.db;
    if (!db) throw new Error(`member ${id} is not running`);
    return db;
  }

  /** Waits until every running member of `among` follows the same leader, which is one of them. */
  async waitForLeader(among: NodeId[] = this.ids, timeoutMs = 10_000): Promise<NodeId> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const running = among.map((id) => this.members.get(id)?.driver).filter((d): d is RaftDriver => d !== undefined);
      const leader = running.find((d) => d.isLeader());
      if (leader && running.every((d) => d.status().leaderId === leader.id)) return leader.id;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no leader among ${among.join(',')} within ${timeoutMs} ms`);
  }

  /** Waits until every running member has applied at least `index`. */
  async waitApplied(index: number, ids: NodeId[] = this.ids, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (ids.every((id) => (this.members.get(id)?.sm?.appliedIndex() ?? Infinity) >= index)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`members ${ids.join(',')} did not apply ${index} within ${timeoutMs} ms`);
  }

  close(): void {
    for (const id of this.ids) this.stop(id);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
