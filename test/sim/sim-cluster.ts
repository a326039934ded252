/**
 * A simulated cluster of Raft nodes on one virtual clock: every node ticks on its own schedule,
 * messages travel through the simulated network, and after every event the affected node's
 * Ready is handled exactly as a real host must (persist, compact, send, restore/apply, serve
 * reads). Nodes crash (optionally in the middle of a Ready: persisted but not sent) and restart
 * from what their disk holds, and stall (a blocked host: no ticks, nothing handled until it
 * resumes, then everything that waited at once). Before every input the host tells its node the
 * time by its own clock (RaftNode.advanceClock), as RaftDriver does.
 *
 * Two ways to drive it:
 * - automatic (`autoTick`): `step()`/`runFor()` pop the next event (tick, delivery, scheduled
 *   action) off the time-ordered queue;
 * - by hand (jest scenarios): `tick(id)`, `pending()`, `deliver(id)`, `deliverAll(filter)`,
 *   `dropAll(filter)`, `isolate()`, `partition()`, `crash()`, `restart()`, `propose()`...
 */
import {
  type ConfChange,
  decodeConfChange,
  type Entry,
  EntryType,
  type Membership,
  type Message,
  type NodeId,
  type Proposal,
  type RaftConfig,
  RaftError,
  RaftNode,
  type ReadState,
  type Ready,
  Role,
  StateRole,
  type Status,
} from '../../libs/raft/src';
import { Checker } from './checker';
import { EventQueue } from './event-queue';
import { hex32 } from './fnv';
import { deriveSeed, Prng } from './prng';
import { SimDisk } from './sim-disk';
import { cloneMessage, SimNetwork } from './sim-network';
import { decodeWrite, encodeWrite, SimStateMachine, type Write } from './sim-state-machine';
import { describeMessage, Trace } from './trace';
import { Violation } from './violation';

export type RaftTuning = Omit<RaftConfig, 'id' | 'random'>;

export interface SimClusterOptions {
  seed: number;
  raft: RaftTuning;
  /** Virtual milliseconds between two ticks of a node. */
  tickInterval?: number;
  /** Each tick interval is drawn from tickInterval ± tickJitter. */
  tickJitter?: number;
  /** Schedule ticks automatically (step/runFor); off for hand-driven scenarios. */
  autoTick?: boolean;
  /** The application snapshots (RaftNode.compact) every this many applied entries; 0 = never. */
  snapshotEvery?: number;
  /** Shut a node down for good shortly after its removal is committed (default: autoTick). */
  decommissionRemoved?: boolean;
  trace?: Trace;
  checker?: Checker;
}

/** A message on the wire, waiting for its delivery time. */
export interface PendingMessage {
  id: number;
  at: number;
  msg: Message;
}

type MessageFilter = (m: Message) => boolean;

interface TickEvent {
  at: number;
  seq: number;
  kind: 'tick';
  node: NodeId;
  incarnation: number;
}

interface DeliverEvent {
  at: number;
  seq: number;
  kind: 'deliver';
  id: number;
  msg: Message;
  dup: boolean;
  cancelled: boolean;
}

interface ActionEvent {
  at: number;
  seq: number;
  kind: 'action';
  run: () => void;
}

type SimEvent = TickEvent | DeliverEvent | ActionEvent;

/** One simulated machine: its disk always; a running RaftNode and app state while up. */
export class SimNode {
  raft?: RaftNode;
  up = false;
  /** Removed from the cluster and shut down for good. */
  decommissioned = false;
  incarnation = 0;
  app: SimStateMachine;
  /** Read states waiting for the state machine to catch up. */
  readsWaiting: ReadState[] = [];
  /** Reads issued on this incarnation and not answered yet. */
  readsOutstanding = new Set<string>();
  /** Writes this node accepted as leader, by log index: acknowledged once applied here with the same term. */
  proposals = new Map<number, { term: number; write: Write }>();
  lastSnapshotIndex = 0;
  /** Crash right after persisting the next Ready (before sending its messages). */
  crashAfterPersist = false;
  /** Virtual time this incarnation started (its host clock counts from there). */
  startedAt = 0;
  /** The host is stalled until then: ticks, deliveries and client requests wait. */
  stalledUntil = 0;
  seenRole?: StateRole;
  seenTerm = 0;
  seenLeader: NodeId | 0 = 0;

  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk,
  ) {
    this.app = new SimStateMachine(id);
  }
}

export interface ClusterStats {
  events: number;
  ticks: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  crashes: number;
  restarts: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  stalls: number;
}

function isRaftError(e: unknown): e is RaftError {
  return e instanceof RaftError;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(e);
}

export function describeEntry(e: Entry): string {
  if (e.type === EntryType.ConfChange) {
    const cc = decodeConfChange(e.data);
    if (cc.kind === 'bootstrap') return `conf bootstrap ${describeMembership(cc.membership)}`;
    if (cc.kind === 'remove') return `conf remove n${cc.id}`;
    return `conf ${cc.kind} n${cc.id} as ${cc.role}`;
  }
  if (e.data.length === 0) return 'no-op';
  const w = decodeWrite(e.data);
  return w ? `write w${w.id} ${w.key}=${w.value}` : `data(${e.data.length})`;
}

export function describeMembership(m: Membership): string {
  return `[${m.map((x) => `${x.id}:${x.role === Role.Voter ? 'V' : x.role === Role.Standby ? 'S' : 'P'}`).join(' ')}]`;
}

export function describeConfChange(cc: ConfChange): string {
  if (cc.kind === 'bootstrap') return `bootstrap ${describeMembership(cc.membership)}`;
  if (cc.kind === 'remove') return `remove n${cc.id}`;
  return `${cc.kind} n${cc.id} as ${cc.role}`;
}

export class SimCluster {
  now = 0;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly network: SimNetwork;
  readonly trace: Trace;
  readonly checker: Checker;
  readonly stats: ClusterStats = {
    events: 0,
    ticks: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    crashes: 0,
    restarts: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    stalls: 0,
  };

  private readonly queue = new EventQueue<SimEvent>();
  private seq = 0;
  private messageIds = 0;
  private writeIds = 0;
  private readIds = 0;
  private readonly rng: Prng;
  private readonly tickInterval: number;
  private readonly tickJitter: number;
  private readonly autoTick: boolean;
  private readonly snapshotEvery: number;
  private readonly decommissionRemoved: boolean;
  private readonly decommissionScheduled = new Set<NodeId>();

  constructor(readonly options: SimClusterOptions) {
    this.rng = new Prng(deriveSeed(options.seed, 1));
    this.network = new SimNetwork(new Prng(deriveSeed(options.seed, 2)));
    this.tickInterval = options.tickInterval ?? 100;
    this.tickJitter = options.tickJitter ?? 0;
    this.autoTick = options.autoTick ?? true;
    this.snapshotEvery = options.snapshotEvery ?? 0;
    this.decommissionRemoved = options.decommissionRemoved ?? this.autoTick;
    this.trace = options.trace ?? new Trace();
    this.checker = options.checker ?? new Checker();
  }

  // ------------------------------------------------------------------ membership of the simulation

  /** Creates and starts the founding members with the bootstrap disk state. */
  bootstrap(voters: readonly NodeId[], standbys: readonly NodeId[] = []): void {
    const membership: Membership = [
      ...voters.map((id) => ({ id, role: Role.Voter })),
      ...standbys.map((id) => ({ id, role: Role.Standby })),
    ];
    this.log(`bootstrap ${describeMembership(membership)}`);
    for (const m of membership) {
      const n = new SimNode(m.id, new SimDisk(m.id, RaftNode.bootstrapState(membership)));
      this.nodes.set(m.id, n);
      this.start(n);
    }
  }

  /** Creates and starts a node with an empty disk: it waits for a leader to contact it. */
  addEmptyNode(id: NodeId): SimNode {
    if (this.nodes.has(id)) throw new Error(`sim: node ${id} already exists`);
    const n = new SimNode(id, new SimDisk(id, RaftNode.emptyState()));
    this.nodes.set(id, n);
    this.log(`n${id} created (empty disk)`);
    this.start(n);
    return n;
  }

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`sim: no node ${id}`);
    return n;
  }

  ids(): NodeId[] {
    return [...this.nodes.keys()];
  }

  upIds(): NodeId[] {
    const out: NodeId[] = [];
    for (const n of this.nodes.values()) if (n.up) out.push(n.id);
    return out;
  }

  // ------------------------------------------------------------------ lifecycle

  private raftConfig(n: SimNode): RaftConfig {
    const random = new Prng(deriveSeed(this.options.seed, 100, n.id, n.incarnation));
    return { ...this.options.raft, id: n.id, random: random.asFunction() };
  }

  private start(n: SimNode): void {
    const persisted = n.disk.load();
    n.incarnation++;
    n.startedAt = this.now;
    n.stalledUntil = 0;
    n.raft = this.guard(n, 'constructor', () => new RaftNode(this.raftConfig(n), persisted));
    n.app = new SimStateMachine(n.id);
    n.lastSnapshotIndex = 0;
    n.up = true;
    n.seenRole = undefined;
    n.seenTerm = 0;
    n.seenLeader = 0;
    n.readsWaiting = [];
    n.readsOutstanding.clear();
    n.proposals.clear();
    n.crashAfterPersist = false;
    if (persisted.snapshot) {
      const meta = persisted.snapshot.meta;
      n.app.restore(persisted.snapshot.data, meta.index);
      this.checker.onRestore(n.id, meta.index, meta.term, n.app.hash);
      n.lastSnapshotIndex = meta.index;
    }
    if (this.autoTick) this.scheduleTick(n, this.rng.range(1, this.tickInterval));
    this.drain(n);
  }

  /** Stops a node: everything not on its disk is lost; messages to it are dropped. */
  crash(id: NodeId, why = 'crash'): void {
    const n = this.node(id);
    if (!n.up) return;
    n.up = false;
    n.raft = undefined;
    for (const ctx of n.readsOutstanding) this.checker.onReadDropped(ctx);
    n.readsOutstanding.clear();
    n.readsWaiting = [];
    n.proposals.clear();
    n.crashAfterPersist = false;
    this.stats.crashes++;
    this.log(`n${id} ${why} (disk: ${n.disk.hardState.term}/${n.disk.hardState.vote}/${n.disk.hardState.commit} log ${n.disk.base.index}..${n.disk.lastIndex()})`);
  }

  /** Stalls node `id` for `duration` virtual ms (as a paused process or a blocked event loop). */
  stall(id: NodeId, duration: number): void {
    const n = this.node(id);
    if (!n.up) return;
    n.stalledUntil = Math.max(n.stalledUntil, this.now + duration);
    this.stats.stalls++;
    this.log(`n${id} stalls until ${n.stalledUntil}`);
  }

  /** Whether node `id` is up but stalled: requests to it are answered only once it resumes. */
  isStalled(id: NodeId): boolean {
    const n = this.nodes.get(id);
    return n !== undefined && n.up && this.now < n.stalledUntil;
  }

  /**
   * Runs a client request to node `id` now, or, when its host is stalled, once it resumes (among
   * the messages that waited, in any order), if the node is still up then.
   */
  atHost(id: NodeId, request: () => void): void {
    const n = this.nodes.get(id);
    if (!n || !this.isStalled(id)) {
      request();
      return;
    }
    const incarnation = n.incarnation;
    this.schedule(n.stalledUntil - this.now + this.rng.int(10), () => {
      if (n.up && n.incarnation === incarnation) request();
    });
  }

  /** Restarts a crashed node from its disk. */
  restart(id: NodeId): void {
    const n = this.node(id);
    if (n.up || n.decommissioned) return;
    this.stats.restarts++;
    this.log(`n${id} restart`);
    this.start(n);
  }

  /** Arms a crash right after the node persists its next Ready, before it sends anything. */
  crashAfterNextPersist(id: NodeId): void {
    const n = this.node(id);
    if (n.up) n.crashAfterPersist = true;
  }

  /** A removed member is shut down for good (its id is never reused). */
  decommission(id: NodeId): void {
    const n = this.node(id);
    if (n.decommissioned) return;
    this.crash(id, 'decommissioned');
    n.decommissioned = true;
  }

  // ------------------------------------------------------------------ network control

  isolate(id: NodeId): void {
    this.network.isolate(
      id,
      this.ids().filter((x) => x !== id),
    );
    this.log(`isolate n${id}`);
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.network.partition(groups);
    this.log(`partition ${groups.map((g) => `{${g.join(',')}}`).join(' ')}`);
  }

  /** Cuts the one-way link from → to. */
  block(from: NodeId, to: NodeId): void {
    this.network.block(from, to);
    this.log(`block ${from}->${to}`);
  }

  heal(): void {
    this.network.healAll();
    this.log('heal all links');
  }

  // ------------------------------------------------------------------ client operations

  /** Proposes raw data on node `id` (throws RaftError as the core does). */
  propose(id: NodeId, data: Uint8Array): Proposal {
    const n = this.upNode(id);
    const p = this.guardApi(n, () => n.raft!.propose(data));
    this.drain(n);
    return p;
  }

  /** Proposes a fresh client write on node `id`; returns the write and where it went, or the RaftError. */
  /** Proposes a new write of `key`, or `again` a write proposed before (a client's retry: same id). */
  proposeWrite(id: NodeId, key = 'k0', again?: Write): { write: Write; proposal?: Proposal; error?: RaftError } {
    const n = this.upNode(id);
    const write: Write = again ?? { id: ++this.writeIds, key, value: `v${this.writeIds}` };
    let proposal: Proposal | undefined;
    let error: RaftError | undefined;
    try {
      proposal = this.guardApi(n, () => n.raft!.propose(encodeWrite(write)));
    } catch (e) {
      if (!isRaftError(e)) throw e;
      error = e;
    }
    if (proposal && 'index' in proposal) {
      n.proposals.set(proposal.index, { term: proposal.term, write });
      this.log(`n${id} propose w${write.id} ${key}=${write.value} -> ${proposal.index}/${proposal.term}`);
    } else if (proposal) {
      this.log(`n${id} propose w${write.id} ${key}=${write.value} -> forwarded to n${proposal.forwardedTo}`);
    } else {
      this.log(`n${id} propose w${write.id} refused: ${error!.code}`);
    }
    this.drain(n);
    return { write, proposal, error };
  }

  proposeConfChange(id: NodeId, cc: ConfChange): { index: number; term: number } {
    const n = this.upNode(id);
    let r: { index: number; term: number };
    try {
      r = this.guardApi(n, () => n.raft!.proposeConfChange(cc));
    } catch (e) {
      if (isRaftError(e)) this.log(`n${id} conf change ${describeConfChange(cc)} refused: ${e.code}`);
      throw e;
    }
    this.log(`n${id} conf change ${describeConfChange(cc)} -> ${r.index}/${r.term}`);
    this.drain(n);
    return r;
  }

  transferLeadership(id: NodeId, to: NodeId): void {
    const n = this.upNode(id);
    try {
      this.guardApi(n, () => n.raft!.transferLeadership(to));
    } catch (e) {
      if (isRaftError(e)) this.log(`n${id} transfer to n${to} refused: ${e.code}`);
      throw e;
    }
    this.log(`n${id} transfer leadership to n${to}`);
    this.drain(n);
  }

  /** Node `id` gives up its leadership transfer, if it is still up (as a host does whose transfer timed out). */
  cancelLeadershipTransfer(id: NodeId): void {
    const n = this.nodes.get(id);
    if (!n?.up) return;
    this.guardApi(n, () => n.raft!.cancelLeadershipTransfer());
    this.log(`n${id} cancels its leadership transfer`);
    this.drain(n);
  }

  /** Issues a linearizable read on node `id`; returns its context (throws RaftError as the core does). */
  read(id: NodeId): string {
    const n = this.upNode(id);
    const context = `r${++this.readIds}`;
    this.checker.onReadIssued(id, context, this.now);
    try {
      this.guardApi(n, () => n.raft!.readIndex(context));
    } catch (e) {
      this.checker.onReadDropped(context);
      if (isRaftError(e)) this.log(`n${id} read ${context} refused: ${e.code}`);
      throw e;
    }
    n.readsOutstanding.add(context);
    this.log(`n${id} read ${context} issued`);
    this.drain(n);
    return context;
  }

  // ------------------------------------------------------------------ inspection

  status(id: NodeId): Status | undefined {
    const n = this.nodes.get(id);
    return n && n.up ? n.raft!.status() : undefined;
  }

  /** The leader with the highest term among running nodes (0 if none). */
  leader(): NodeId | 0 {
    let best: NodeId | 0 = 0;
    let bestTerm = -1;
    for (const n of this.nodes.values()) {
      if (!n.up) continue;
      const st = n.raft!.status();
      if (st.role === StateRole.Leader && st.term > bestTerm) {
        best = n.id;
        bestTerm = st.term;
      }
    }
    return best;
  }

  describeNode(id: NodeId): string {
    const n = this.node(id);
    if (!n.up) return `n${id} ${n.decommissioned ? 'decommissioned' : 'down'}; disk log ${n.disk.base.index}..${n.disk.lastIndex()}`;
    const st = n.raft!.status();
    let s = `n${id} ${st.role} term=${st.term} vote=${st.vote} leader=${st.leaderId} commit=${st.commit} log=${st.firstIndex}..${st.lastIndex} ${n.app.describe()} member=${st.memberRole ?? 'no'} ${describeMembership(st.membership)}`;
    if (st.progress) {
      s += ' progress:';
      for (const [pid, p] of Object.entries(st.progress)) s += ` ${pid}:${p.state}/m${p.match}/n${p.next}${p.recentActive ? '' : '(inactive)'}`;
    }
    return s;
  }

  // ------------------------------------------------------------------ hand-driven scenarios

  /** Ticks node `id` once. */
  tick(id: NodeId): void {
    const n = this.upNode(id);
    this.doTick(n);
  }

  /** Messages on the wire, in delivery order. */
  pending(filter?: MessageFilter): PendingMessage[] {
    const out: PendingMessage[] = [];
    for (const ev of this.queue.ordered()) {
      if (ev.kind !== 'deliver' || ev.cancelled) continue;
      if (!filter || filter(ev.msg)) out.push({ id: ev.id, at: ev.at, msg: ev.msg });
    }
    return out;
  }

  /** Delivers one pending message now (out of order if need be). */
  deliver(messageId: number): void {
    const ev = this.findMessage(messageId);
    if (!ev) throw new Error(`sim: no pending message ${messageId}`);
    ev.cancelled = true;
    this.deliverNow(ev);
  }

  /**
   * Delivers pending messages matching `filter` in delivery order, including the ones they
   * cause, until none match. Returns how many were delivered.
   */
  deliverAll(filter?: MessageFilter, limit = 100_000): number {
    let count = 0;
    for (;;) {
      const next = this.pending(filter)[0];
      if (!next) return count;
      if (++count > limit) throw new Error(`sim: deliverAll did not settle after ${limit} messages`);
      this.deliver(next.id);
    }
  }

  /** Drops every pending message matching `filter`; returns how many. */
  dropAll(filter?: MessageFilter): number {
    let count = 0;
    for (const ev of this.queue.ordered()) {
      if (ev.kind !== 'deliver' || ev.cancelled) continue;
      if (filter && !filter(ev.msg)) continue;
      ev.cancelled = true;
      count++;
      this.stats.dropped++;
      this.log(`drop ${describeMessage(ev.msg)} (by hand)`);
    }
    return count;
  }

  private findMessage(id: number): DeliverEvent | undefined {
    for (const ev of this.queue.ordered()) if (ev.kind === 'deliver' && !ev.cancelled && ev.id === id) return ev;
    return undefined;
  }

  // ------------------------------------------------------------------ the event loop

  /** Runs `fn` at virtual time now + delay. */
  schedule(delay: number, run: () => void): void {
    this.queue.push({ at: this.now + Math.max(0, delay), seq: ++this.seq, kind: 'action', run });
  }

  /** Processes the next event; false when the queue is empty. */
  step(): boolean {
    for (;;) {
      const ev = this.queue.pop();
      if (!ev) return false;
      if (ev.kind === 'deliver' && ev.cancelled) continue;
      this.now = ev.at;
      this.stats.events++;
      switch (ev.kind) {
        case 'tick': {
          const n = this.nodes.get(ev.node)!;
          if (n.up && n.incarnation === ev.incarnation && this.now < n.stalledUntil) {
            // The tick timer fires late, once, when the host resumes (among what waited, in any order).
            this.queue.push({ ...ev, at: n.stalledUntil + this.rng.int(10), seq: ++this.seq });
            break;
          }
          if (n.up && n.incarnation === ev.incarnation) {
            this.doTick(n);
            if (n.up && n.incarnation === ev.incarnation) this.scheduleTick(n, this.nextTickDelay());
          }
          break;
        }
        case 'deliver': {
          const n = this.nodes.get(ev.msg.to);
          if (n && n.up && this.now < n.stalledUntil) {
            // Waits in the socket until the host resumes.
            ev.at = n.stalledUntil + this.rng.int(10);
            this.queue.push(ev);
            break;
          }
          this.deliverNow(ev);
          break;
        }
        case 'action':
          ev.run();
          break;
      }
      return true;
    }
  }

  /** Runs events up to virtual time now + duration. */
  runFor(duration: number): void {
    const until = this.now + duration;
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at > until) break;
      this.step();
    }
    this.now = Math.max(this.now, until);
  }

  /** Runs until `done()` holds (checked after every event) or `maxDuration` passes; returns done(). */
  runUntil(done: () => boolean, maxDuration: number): boolean {
    const until = this.now + maxDuration;
    while (!done()) {
      const next = this.queue.peek();
      if (!next || next.at > until) return done();
      this.step();
    }
    return true;
  }

  private nextTickDelay(): number {
    if (this.tickJitter <= 0) return this.tickInterval;
    return this.tickInterval - this.tickJitter + this.rng.int(2 * this.tickJitter + 1);
  }

  private scheduleTick(n: SimNode, delay: number): void {
    this.queue.push({ at: this.now + delay, seq: ++this.seq, kind: 'tick', node: n.id, incarnation: n.incarnation });
  }

  /** What the node's host does before every input: tell the node its clock. */
  private tellTime(n: SimNode): void {
    const elapsed = Math.floor((this.now - n.startedAt) / this.tickInterval);
    this.guard(n, 'advanceClock', () => n.raft!.advanceClock(elapsed));
  }

  private doTick(n: SimNode): void {
    this.stats.ticks++;
    this.log(`n${n.id} tick`);
    this.tellTime(n);
    this.guard(n, 'tick', () => n.raft!.tick());
    this.drain(n);
  }

  private deliverNow(ev: DeliverEvent): void {
    const m = ev.msg;
    const n = this.nodes.get(m.to);
    if (!n || !n.up) {
      this.stats.dropped++;
      this.log(`drop ${describeMessage(m)} (n${m.to} down)`);
      return;
    }
    if (this.network.isBlocked(m.from, m.to)) {
      this.stats.dropped++;
      this.log(`drop ${describeMessage(m)} (link cut while in flight)`);
      return;
    }
    this.stats.delivered++;
    this.log(`deliver ${describeMessage(m)}${ev.dup ? ' (dup)' : ''}`);
    this.tellTime(n);
    this.guard(n, 'step', () => n.raft!.step(m));
    this.drain(n);
  }

  private send(m: Message): void {
    if (!this.nodes.has(m.to)) {
      this.stats.dropped++;
      this.log(`drop ${describeMessage(m)} (no node ${m.to})`);
      return;
    }
    const fate = this.network.fate(m.from, m.to, this.now);
    if ('drop' in fate) {
      this.stats.dropped++;
      this.log(`drop ${describeMessage(m)} (${fate.drop})`);
      return;
    }
    for (let k = 0; k < fate.deliverAt.length; k++) {
      if (k > 0) this.stats.duplicated++;
      this.queue.push({
        at: fate.deliverAt[k]!,
        seq: ++this.seq,
        kind: 'deliver',
        id: ++this.messageIds,
        msg: cloneMessage(m),
        dup: k > 0,
        cancelled: false,
      });
    }
  }

  // ------------------------------------------------------------------ Ready handling

  /** Handles the node's Ready until it has none, then checks what it became. */
  private drain(n: SimNode): void {
    let rounds = 0;
    while (n.up && this.guard(n, 'hasReady', () => n.raft!.hasReady())) {
      if (++rounds > 10_000) throw new Violation('ready-loop', `n${n.id} keeps producing Ready output`);
      const rd = this.guard(n, 'ready', () => n.raft!.ready());
      this.handleReady(n, rd);
    }
    if (n.up) this.observe(n);
  }

  private handleReady(n: SimNode, rd: Ready): void {
    const disk = n.disk;
    // 1. Persist: snapshot, entries, hard state; then compact.
    if (rd.snapshot) {
      disk.saveReceivedSnapshot(rd.snapshot);
      this.log(`n${n.id} persist snapshot ${rd.snapshot.meta.index}/${rd.snapshot.meta.term} (${rd.snapshot.data.length} bytes)`);
    }
    if (rd.entries.length > 0) {
      const { prevTerm, overwritten } = disk.append(rd.entries);
      this.checker.onPersist(n.id, rd.entries, prevTerm, overwritten);
    }
    if (rd.hardState) {
      this.checker.onHardState(n.id, disk.hardState, rd.hardState);
      disk.hardState = { ...rd.hardState };
    }
    if (rd.compact) disk.compact(rd.compact);
    if (n.crashAfterPersist) {
      this.crash(n.id, `crash after persisting (${rd.messages.length} messages unsent, ${rd.committedEntries.length} entries unapplied)`);
      return;
    }
    // 2. Send.
    for (const m of rd.messages) this.send(m);
    // 3. Apply: restore the snapshot, then the committed entries.
    if (rd.snapshot) {
      const meta = rd.snapshot.meta;
      if (meta.index < n.app.applied) {
        throw new Violation('snapshot-regress', `n${n.id} was handed a snapshot at ${meta.index} but had already applied ${n.app.applied}`);
      }
      n.app.restore(rd.snapshot.data, meta.index);
      this.checker.onRestore(n.id, meta.index, meta.term, n.app.hash);
      this.stats.snapshotsInstalled++;
      n.lastSnapshotIndex = meta.index;
      for (const idx of [...n.proposals.keys()]) if (idx <= meta.index) n.proposals.delete(idx);
      this.log(`n${n.id} restore snapshot ${meta.index}/${meta.term} ${n.app.describe()}`);
    }
    for (const e of rd.committedEntries) this.apply(n, e);
    // 4. Reads.
    for (const rs of rd.readStates) {
      if (!n.readsOutstanding.has(rs.context) || !this.checker.onReadState(n.id, rs)) {
        this.log(`n${n.id} read ${rs.context} answered again or unknown (index ${rs.index}); ignored`);
        continue;
      }
      n.readsOutstanding.delete(rs.context);
      n.readsWaiting.push(rs);
      this.log(`n${n.id} read ${rs.context} -> read index ${rs.index}`);
    }
    for (const f of rd.readFailures) {
      if (!n.readsOutstanding.delete(f.context)) continue;
      this.checker.onReadDropped(f.context);
      this.log(`n${n.id} read ${f.context} failed: ${f.reason}`);
    }
    if (n.readsWaiting.length > 0) this.serveReads(n);
    // 5. The application snapshots now and then.
    if (this.snapshotEvery > 0 && n.app.applied - n.lastSnapshotIndex >= this.snapshotEvery) this.takeSnapshot(n);
  }

  private apply(n: SimNode, e: Entry): void {
    n.app.apply(e);
    this.checker.onApply(n.id, e, n.app.hash, n.raft!.currentTerm);
    this.log(`n${n.id} apply ${e.index}/${e.term} ${describeEntry(e)}`);
    const p = n.proposals.get(e.index);
    if (p) {
      n.proposals.delete(e.index);
      if (p.term === e.term) {
        const w = e.type === EntryType.Normal ? decodeWrite(e.data) : undefined;
        if (!w || w.id !== p.write.id) {
          throw new Violation(
            'proposal-identity',
            `n${n.id} accepted w${p.write.id} as ${e.index}/${p.term}, but ${e.index}/${e.term} is ${describeEntry(e)}`,
          );
        }
        this.checker.onWriteCompleted(e.index);
      }
    }
    if (e.type === EntryType.ConfChange && this.decommissionRemoved) {
      const cc = decodeConfChange(e.data);
      if (cc.kind === 'remove' && !this.decommissionScheduled.has(cc.id) && this.nodes.has(cc.id)) {
        this.decommissionScheduled.add(cc.id);
        const id = cc.id;
        this.schedule(this.rng.int(3 * this.tickInterval), () => this.decommission(id));
      }
    }
  }

  private serveReads(n: SimNode): void {
    const still: ReadState[] = [];
    for (const rs of n.readsWaiting) {
      if (rs.index <= n.app.applied) {
        this.checker.onReadServed(n.id, rs.context, n.app.applied, n.app.hash);
        this.log(`n${n.id} read ${rs.context} served at ${n.app.applied} (read index ${rs.index})`);
      } else {
        still.push(rs);
      }
    }
    n.readsWaiting = still;
  }

  private takeSnapshot(n: SimNode): void {
    const index = n.app.applied;
    const data = n.app.encode();
    this.guard(n, 'compact', () => n.raft!.compact(index, data));
    const meta = n.raft!.snapshotMeta();
    if (!meta || meta.index !== index) {
      throw new Violation('snapshot-meta', `n${n.id} compacted at ${index} but snapshotMeta() says ${meta ? meta.index : 'none'}`);
    }
    n.disk.saveOwnSnapshot({ meta, data });
    n.lastSnapshotIndex = index;
    this.stats.snapshotsTaken++;
    this.log(`n${n.id} snapshot at ${index}/${meta.term} (${data.length} bytes)`);
  }

  /** After a node's output is handled: trace its state changes and check leader invariants. */
  private observe(n: SimNode): void {
    const raft = n.raft!;
    const st = raft.status();
    const log = raft.debugLog();
    const memLast = log.base.index + log.entries.length;
    if (memLast !== n.disk.lastIndex() || st.term !== n.disk.hardState.term || st.vote !== n.disk.hardState.vote) {
      throw new Violation(
        'persistence',
        `n${n.id} runs with term ${st.term}, vote ${st.vote}, log ..${memLast}, but its disk holds term ${n.disk.hardState.term}, vote ${n.disk.hardState.vote}, log ..${n.disk.lastIndex()} after its Ready was handled`,
      );
    }
    if (st.role !== n.seenRole || st.term !== n.seenTerm || st.leaderId !== n.seenLeader) {
      this.log(`n${n.id} now ${st.role} term ${st.term} leader ${st.leaderId || '-'} (commit ${st.commit}, last ${memLast})`);
      const becameLeader = st.role === StateRole.Leader && (n.seenRole !== StateRole.Leader || n.seenTerm !== st.term);
      n.seenRole = st.role;
      n.seenTerm = st.term;
      n.seenLeader = st.leaderId;
      if (becameLeader) this.checker.onLeader(n.id, st.term, log);
    }
  }

  // ------------------------------------------------------------------ helpers

  private upNode(id: NodeId): SimNode {
    const n = this.node(id);
    if (!n.up) throw new Error(`sim: node ${id} is down`);
    return n;
  }

  /** Calls into the core; anything it throws is a core failure. */
  private guard<T>(n: SimNode, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof Violation) throw e;
      throw new Violation('core-exception', `n${n.id} ${what}() threw ${describeError(e)}`);
    }
  }

  /** Calls a client API of the core: RaftError is an answer, anything else a core failure. */
  private guardApi<T>(n: SimNode, fn: () => T): T {
    if (n.up && n.raft) this.tellTime(n);
    try {
      return fn();
    } catch (e) {
      if (e instanceof Violation || isRaftError(e)) throw e;
      throw new Violation('core-exception', `n${n.id} client call threw ${describeError(e)}`);
    }
  }

  log(line: string): void {
    this.trace.add(this.now, line);
  }

  /** A short fingerprint of every running node's state machine. */
  fingerprint(): string {
    return [...this.nodes.values()].map((n) => `n${n.id}:${n.up ? `${n.app.applied}/${hex32(n.app.hash)}` : 'down'}`).join(' ');
  }
}
