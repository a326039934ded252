/**
 * RaftDriver: runs one member's RaftNode against the real world. It ticks the node on a timer,
 * feeds it the messages the transport receives, and handles every Ready in the order the core
 * requires: persist (log store, fsync) → send → restore/apply to the global state machine → serve
 * reads. Callers get promises: a proposal resolves with its entry's apply result, a read barrier
 * resolves once the local replica is at least as new as a linearizable read point.
 *
 * Everything that touches the node runs on the event loop; Ready handling is coalesced with
 * setImmediate, so the proposals and messages that arrive in one turn share one log append, one
 * fsync and one replication round (group commit). The leader syncs its appends on the thread pool;
 * a member that does not lead syncs on the event loop while nothing of its own waits (syncsInline).
 *
 * A member that does not lead applies committed entries in batches (one SQLite commit for many
 * entries costs little more than one for one entry): within `applyDelayMs` of learning that they
 * are committed, at once when a read on this member needs them, when `maxDeferredEntries` wait,
 * and before anything reads its replica (applyDeferred). The leader applies at once: its writers
 * wait for their results.
 */
import {
  type ConfChange,
  DEFAULT_RAFT_CONFIG,
  type Entry,
  EntryType,
  type Membership,
  type Message,
  MessageType,
  type NodeId,
  type PersistedState,
  RaftError,
  RaftErrorCode,
  RaftNode,
  type RaftConfig,
  type Ready,
  Role,
  StateRole,
  type Status,
  decodeConfChange,
} from '@app/raft';
import type { ApplyResult, GlobalStateMachine } from '../global/global-state-machine';
import type { RaftLogStore } from '../raft-storage/raft-log-store';
import { type Clock, type ClockTimer, SYSTEM_CLOCK } from './clock';
import { DbClosedError, DbTimeoutError } from './db-errors';
import type { RaftTransport } from './raft-transport';

export interface RaftDriverOptions {
  id: NodeId;
  store: RaftLogStore;
  stateMachine: GlobalStateMachine;
  transport: RaftTransport;
  clock?: Clock;
  /** Milliseconds per Raft tick (default 50: elections after 0.5–1 s without a leader). */
  tickMs?: number;
  /**
   * Overrides of the Raft core's settings. Unlike the core, the driver serves linearizable reads
   * from leases by default: the leader's, and a read lease a follower holds from the leader
   * (leaseReads; the clock assumptions are RaftConfig's).
   */
  raft?: Partial<Omit<RaftConfig, 'id'>>;
  /** Take a snapshot (and compact the log) after this many applied entries (default 8192; 0 = never). */
  snapshotEvery?: number;
  /** Told of a failure that stops the driver (a disk error while persisting or applying). */
  onFatal?: (err: Error) => void;
  /** Told of every applied batch (after the state machine changed). */
  onApplied?: (entries: readonly Entry[], results: readonly ApplyResult[]) => void;
  /** A member that does not lead applies committed entries at most this many ms late (default 20; 0 = at once). */
  applyDelayMs?: number;
  /** ...and at once when this many wait (default 256). */
  maxDeferredEntries?: number;
}

/** The proposal's entry was replaced by another leader's entry: it was not applied and can be retried. */
export class ProposalDroppedError extends Error {
  constructor(index: number) {
    super(`the proposal at index ${index} was overwritten by a new leader and not applied`);
    this.name = 'ProposalDroppedError';
  }
}

/** Leadership was being handed to a member that is stopping itself. */
export class TransferTargetLeavingError extends Error {
  constructor(readonly target: NodeId) {
    super(`member ${target} is stopping: it will not take the leadership`);
    this.name = 'TransferTargetLeavingError';
  }
}

/** A read point could not be obtained (leadership changed, the leader is unknown); retry. */
export class ReadBarrierError extends Error {
  constructor(
    readonly reason: RaftErrorCode,
    readonly leaderId: NodeId | 0,
  ) {
    super(`no read point: ${reason}`);
    this.name = 'ReadBarrierError';
  }
}

/** Messages only a leader sends, about entries of its own log. */
const LEADER_LOG_MESSAGES: ReadonlySet<MessageType> = new Set([MessageType.Append, MessageType.Heartbeat, MessageType.Snapshot, MessageType.TimeoutNow]);

interface ProposalWaiter {
  term: number;
  resolve: (r: ApplyResult) => void;
  reject: (e: Error) => void;
  timer: ClockTimer;
}

interface ReadWaiter {
  resolve: () => void;
  reject: (e: Error) => void;
  timer: ClockTimer;
  /** Set once the read point is known. */
  index?: number;
}

export class RaftDriver {
  readonly id: NodeId;
  private node!: RaftNode;
  private readonly store: RaftLogStore;
  private readonly sm: GlobalStateMachine;
  private readonly transport: RaftTransport;
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly snapshotEvery: number;
  private readonly applyDelayMs: number;
  private readonly maxDeferredEntries: number;
  private ticker?: ClockTimer;
  /** Committed entries taken from the node and not applied yet (see applyDeferred). */
  private deferred: Entry[] = [];
  private applyTimer?: ClockTimer;
  private scheduled = false;
  /** A leader's Ready is being persisted after its messages went out (see processReady). */
  private persisting = false;
  private stopped = false;
  /** This member is about to stop: it takes no leadership handed to it. */
  private leaving = false;
  private fatal?: Error;
  private lastSnapshotIndex = 0;
  /** clock.now() when the node started: its age in ticks is what advanceClock() is told. */
  private clockEpoch = 0;
  private readSeq = 0;
  private readonly proposals = new Map<number, ProposalWaiter>();
  private readonly reads = new Map<string, ReadWaiter>();
  /** Requests of this member's callers waiting on another member (see whileAway). */
  private requestsAway = 0;
  /** Reads whose point is known, waiting for the replica to apply up to it. */
  private readonly readsAwaitingApply = new Set<string>();
  private readonly statusListeners = new Set<(st: Status) => void>();
  private lastNotified: { role?: StateRole; term: number; leader: NodeId | 0; membership?: Membership } = { term: -1, leader: 0 };

  constructor(private readonly opts: RaftDriverOptions) {
    this.id = opts.id;
    this.store = opts.store;
    this.sm = opts.stateMachine;
    this.transport = opts.transport;
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.tickMs = opts.tickMs ?? 50;
    this.snapshotEvery = opts.snapshotEvery ?? 8192;
    this.applyDelayMs = opts.applyDelayMs ?? 20;
    this.maxDeferredEntries = Math.max(1, opts.maxDeferredEntries ?? 256);
  }

  /**
   * Writes the initial state of a founding member into an empty store: the first log entry holds
   * the founding membership. A store that already holds state is left alone (false).
   */
  static bootstrap(store: RaftLogStore, membership: Membership): boolean {
    if (store.lastIndex > 0 || store.logBase.index > 0) return false;
    const st = RaftNode.bootstrapState(membership);
    store.save({ hardState: st.hardState, entries: st.entries });
    return true;
  }

  /** Loads the stored state, brings the state machine up to the stored snapshot, and starts ticking. */
  start(): void {
    const persisted: PersistedState = this.store.load();
    const snap = persisted.snapshot;
    if (snap && this.sm.appliedIndex() < snap.meta.index) {
      this.sm.restore(snap.data, { index: snap.meta.index, term: snap.meta.term });
    }
    const lastIndex = persisted.logBase.index + persisted.entries.length;
    const applied = this.sm.appliedIndex();
    if (applied > Math.max(lastIndex, snap?.meta.index ?? 0)) {
      throw new Error(
        `global database ${this.sm.file} has applied entry ${applied} but the Raft log in ${this.store.dir} ends at ${lastIndex}: the log does not belong to this database`,
      );
    }
    persisted.applied = applied;
    this.lastSnapshotIndex = snap?.meta.index ?? 0;
    const base = { ...DEFAULT_RAFT_CONFIG, leaseReads: true, random: Math.random, ...this.opts.raft };
    this.node = new RaftNode({ ...base, id: this.id }, persisted);
    this.clockEpoch = this.clock.now();
    this.transport.setReceiver((m) => this.receive(m));
    this.ticker = this.clock.setInterval(() => this.tick(), this.tickMs);
    // The only voter elects itself at its first tick: give it that tick now rather than a tick
    // interval later (a standalone member is writable as soon as it is started).
    if (onlyVoter(this.node.currentMembership, this.id)) this.tick();
    this.schedule();
  }

  /**
   * Stops ticking and fails every waiting caller; committed entries not applied yet are applied
   * first (unless the driver failed). The store and state machine stay open.
   */
  stop(): void {
    if (this.stopped) return;
    if (!this.fatal) {
      try {
        this.applyWaiting();
      } catch (err) {
        this.fatal = err as Error; // the entries stay in the log: the next start applies them
      }
    }
    this.stopped = true;
    this.ticker?.cancel();
    this.cancelApplyTimer();
    this.deferred = [];
    this.failAll(this.closedError());
  }

  /**
   * Applies the committed entries this member has taken from the log and not applied yet, so
   * that a read of its replica right after sees all it knows to be committed. Cheap when there
   * are none. A failure to apply stops the driver (DbClosedError).
   */
  applyDeferred(): void {
    if (this.deferred.length === 0 || this.stopped) return;
    try {
      this.applyWaiting();
    } catch (err) {
      this.die(err as Error);
      this.checkRunning();
    }
  }

  private applyWaiting(): void {
    this.cancelApplyTimer();
    if (this.deferred.length === 0) return;
    const entries = this.deferred;
    this.deferred = [];
    const results = this.sm.apply(entries);
    this.settleProposals(entries, results);
    this.opts.onApplied?.(entries, results);
  }

  get failure(): Error | undefined {
    return this.fatal;
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** The node's status; `applied` is what the replica holds (committed entries may wait to be applied). */
  status(): Status {
    return { ...this.node.status(), applied: this.sm.appliedIndex() };
  }

  isLeader(): boolean {
    return !this.stopped && this.node.stateRole === StateRole.Leader;
  }

  /** The leader this member knows of (0 when none). */
  leaderId(): NodeId | 0 {
    return this.node.leader;
  }

  /** This member's role in the membership (undefined when it is not a member). */
  memberRole(): Role | undefined {
    return roleIn(this.node.currentMembership, this.id);
  }

  /** The current membership (from the log, including entries not yet committed). */
  membership(): Membership {
    return this.node.currentMembership;
  }

  /** Called whenever the role, term, leader or membership changes. */
  onStatusChange(listener: (st: Status) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Milliseconds per tick (for callers that wait for elections). */
  get tickInterval(): number {
    return this.tickMs;
  }

  /** The election timeout in milliseconds (its lower bound). */
  get electionTimeoutMs(): number {
    return (this.opts.raft?.electionTicks ?? DEFAULT_RAFT_CONFIG.electionTicks) * this.tickMs;
  }

  // ---------------------------------------------------------------- requests

  /**
   * Proposes one entry on the leader and resolves with its apply result. Throws RaftError
   * (not leader, transfer in progress) at once; rejects with ProposalDroppedError when a new
   * leader overwrote the entry, and with DbTimeoutError (outcome unknown) after `timeoutMs`.
   */
  propose(data: Uint8Array, timeoutMs: number): Promise<ApplyResult> {
    this.checkRunning();
    if (this.node.stateRole !== StateRole.Leader) {
      const leader = this.node.leader;
      throw new RaftError(RaftErrorCode.NotLeader, `not leader, leader is ${leader || 'unknown'}`, leader);
    }
    const p = this.node.propose(data);
    if (!('index' in p)) throw new RaftError(RaftErrorCode.NotLeader, 'not leader', p.forwardedTo);
    return this.awaitEntry(p.index, p.term, timeoutMs, 'the write');
  }

  /** Proposes a membership change on the leader; resolves once it is applied. */
  async changeMembership(cc: ConfChange, timeoutMs: number): Promise<void> {
    this.checkRunning();
    const p = this.node.proposeConfChange(cc);
    await this.awaitEntry(p.index, p.term, timeoutMs, 'the membership change');
  }

  /**
   * Hands leadership to `to`; resolves once `to` leads. Rejects with TransferTargetLeavingError as
   * soon as `to` says it is stopping, and with DbTimeoutError after `timeoutMs`.
   */
  transferLeadership(to: NodeId, timeoutMs: number): Promise<void> {
    this.checkRunning();
    if (this.transport.isLeaving(to)) return Promise.reject(new TransferTargetLeavingError(to));
    this.tellTime();
    this.node.transferLeadership(to);
    this.schedule();
    return new Promise((resolve, reject) => {
      let finished = false;
      const done = (err?: Error): void => {
        if (finished) return;
        finished = true;
        off();
        timer.cancel();
        watch.cancel();
        if (err) {
          // Proposals are refused while a transfer is under way: give it up rather than wait it out.
          if (!this.stopped && this.node.status().transferee === to) this.node.cancelLeadershipTransfer();
          reject(err);
        } else {
          resolve();
        }
      };
      const off = this.onStatusChange((st) => {
        if (st.leaderId === to) done();
      });
      const timer = this.clock.setTimeout(
        () => done(new DbTimeoutError(`leadership did not move to member ${to} within ${timeoutMs} ms`, false)),
        timeoutMs,
      );
      const watch = this.clock.setInterval(() => {
        if (this.transport.isLeaving(to)) done(new TransferTargetLeavingError(to));
      }, this.tickMs);
      if (this.node.leader === to) done();
    });
  }

  /**
   * This member is about to stop: the other members are told (they stop counting on it) and it
   * no longer takes a leadership handed to it. It keeps replicating and voting until stop().
   */
  prepareToStop(): void {
    if (this.stopped || this.leaving) return;
    this.leaving = true;
    this.transport.announceLeaving();
  }

  /**
   * Resolves once this member's replica reflects every write committed before the call: the
   * ReadIndex protocol (a heartbeat round on the leader; a followers asks the leader).
   * Rejects with ReadBarrierError when no read point can be had right now, or DbTimeoutError.
   */
  readBarrier(timeoutMs: number): Promise<void> {
    this.checkRunning();
    const ctx = `${this.id}:${++this.readSeq}`;
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.reads.delete(ctx);
        this.readsAwaitingApply.delete(ctx);
        reject(new DbTimeoutError(`no linearizable read point within ${timeoutMs} ms`, false));
      }, timeoutMs);
      this.reads.set(ctx, { resolve, reject, timer });
      try {
        this.tellTime();
        this.node.readIndex(ctx);
      } catch (err) {
        this.reads.delete(ctx);
        timer.cancel();
        const e = err as RaftError;
        reject(e instanceof RaftError ? new ReadBarrierError(e.code, e.leaderId) : e);
        return;
      }
      this.schedule();
    });
  }

  /** Messages for this member, from the transport. */
  receive(m: Message): void {
    if (this.stopped || (this.leaving && m.type === MessageType.TimeoutNow)) return;
    this.tellTime();
    this.node.step(m);
    this.schedule();
  }

  // ---------------------------------------------------------------- the loop

  /**
   * Tells the node the time by the clock: when the event loop was blocked, ticks came late and the
   * node would otherwise think less time had passed (and its leader lease were still good).
   */
  private tellTime(): void {
    this.node.advanceClock(Math.floor((this.clock.now() - this.clockEpoch) / this.tickMs));
  }

  private tick(): void {
    if (this.stopped) return;
    this.tellTime();
    this.node.tick();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(this.processReady);
  }

  private readonly processReady = (): void => {
    this.scheduled = false;
    if (this.stopped || this.persisting) return;
    try {
      let rounds = 0;
      while (this.node.hasReady()) {
        const rd = this.node.ready();
        // A leader replicates entries while it writes them (Raft thesis §10.2.1): its messages
        // about its own log leave first. It counts its own copy only when it handles the
        // followers' answers, and no Ready is taken until its entries are durable.
        const early = this.earlyMessages(rd);
        if (early) this.transport.send(early);
        const sentEarly = early?.length ?? 0;
        const save = { hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot, compact: rd.compact };
        if (!this.syncsInline() && this.store.canSaveAsync(save)) {
          // Plain appends are made durable on the thread pool, so that this member keeps
          // serving (answers to forwarded requests, reads) while the disk syncs. Messages that
          // depend on the entries (a follower's acknowledgement) leave once they are durable.
          this.persisting = true;
          this.store.saveAsync(save, (err) => this.persisted(rd, sentEarly, err));
          return;
        }
        if (early) {
          // Written on the next turn of the event loop, once the messages are on the wire.
          this.persisting = true;
          setImmediate(() => this.persisted(rd, sentEarly, undefined, true));
          return;
        }
        this.persist(rd);
        this.afterPersist(rd, 0);
        if (++rounds >= 64) {
          this.schedule(); // let I/O in; continue on the next turn
          break;
        }
      }
      this.maybeSnapshot();
    } catch (err) {
      this.die(err as Error);
      return;
    }
    this.notifyStatus();
  };

  /**
   * Whether this member makes its entries durable on the event loop rather than on the thread
   * pool. A member that does not lead and has nothing of its own waiting does: all it does next
   * is the acknowledgement that waits for the sync, and handing the sync to the thread pool costs
   * two thread wake-ups per append (CPU the leader wants where members share cores). A leader
   * never does (it serves its writers while the disk syncs), nor a member whose reads or
   * forwarded requests wait for answers the event loop must take in.
   */
  private syncsInline(): boolean {
    return this.node.stateRole !== StateRole.Leader && this.reads.size === 0 && this.requestsAway === 0;
  }

  /**
   * Counts `request`, one of this member's callers' requests that waits on another member (a
   * forwarded write), as in flight until it settles: meanwhile this member syncs its log on the
   * thread pool (see syncsInline).
   */
  whileAway<T>(request: Promise<T>): Promise<T> {
    this.requestsAway++;
    return request.finally(() => {
      this.requestsAway--;
    });
  }

  /** The end of an asynchronous or deferred persist of `rd` (`saveNow`: it is still to be written). */
  private persisted(rd: Ready, sentEarly: number, err: Error | undefined, saveNow = false): void {
    this.persisting = false;
    if (this.stopped) return;
    try {
      if (err) throw err;
      if (saveNow) this.persist(rd);
      this.afterPersist(rd, sentEarly);
      this.maybeSnapshot();
    } catch (e) {
      this.die(e as Error);
      return;
    }
    this.notifyStatus();
    this.schedule();
  }

  private persist(rd: Ready): void {
    if (rd.snapshot || rd.entries.length > 0 || rd.hardState || rd.compact) {
      this.store.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot, compact: rd.compact });
    }
  }

  /**
   * The messages of a Ready that may leave before its entries are durable: only a leader's
   * messages about its own log (appends, heartbeats, snapshots, timeout-now), and only when the
   * Ready neither changes the term or the vote nor lacks entries to persist. Undefined when none.
   * They are the Ready's first messages: handle() sends the rest.
   */
  private earlyMessages(rd: Ready): Message[] | undefined {
    if (rd.entries.length === 0 || rd.snapshot || rd.messages.length === 0 || !this.keepsTermAndVote(rd)) return undefined;
    if (!LEADER_LOG_MESSAGES.has(rd.messages[0].type)) return undefined;
    let n = 0;
    while (n < rd.messages.length && LEADER_LOG_MESSAGES.has(rd.messages[n].type)) n++;
    return rd.messages.slice(0, n);
  }

  /** The rest of a persisted Ready, whose first `sentEarly` messages are already sent. */
  private afterPersist(rd: Ready, sentEarly: number): void {
    // 2. Send.
    if (rd.messages.length > sentEarly) this.transport.send(sentEarly === 0 ? rd.messages : rd.messages.slice(sentEarly));
    // 3. Apply.
    if (rd.snapshot) {
      const meta = rd.snapshot.meta;
      // The snapshot holds what the entries still waiting to be applied would have done.
      this.deferred = this.deferred.filter((e) => e.index > meta.index);
      this.sm.restore(rd.snapshot.data, { index: meta.index, term: meta.term });
      this.lastSnapshotIndex = meta.index;
      for (const [index, w] of this.proposals) {
        if (index > meta.index) continue;
        this.proposals.delete(index);
        w.timer.cancel();
        w.reject(new DbTimeoutError(`the outcome of the write at index ${index} is unknown: this member installed a snapshot past it`, true));
      }
    }
    for (const e of rd.committedEntries) this.deferred.push(e);
    // 4. Reads.
    for (const rs of rd.readStates) {
      const w = this.reads.get(rs.context);
      if (!w || w.index !== undefined) continue;
      w.index = rs.index;
      this.readsAwaitingApply.add(rs.context);
    }
    for (const f of rd.readFailures) {
      const w = this.reads.get(f.context);
      if (!w) continue;
      this.reads.delete(f.context);
      this.readsAwaitingApply.delete(f.context);
      w.timer.cancel();
      w.reject(new ReadBarrierError(f.reason, f.leaderId));
    }
    if (this.deferred.length > 0) {
      if (this.appliesAtOnce()) this.applyWaiting();
      else this.applyTimer ??= this.clock.setTimeout(this.applyLate, this.applyDelayMs);
    }
    if (this.readsAwaitingApply.size > 0) this.serveReads();
  }

  /** Whether the committed entries waiting must be applied now rather than a little later. */
  private appliesAtOnce(): boolean {
    return (
      this.applyDelayMs <= 0 ||
      this.proposals.size > 0 ||
      this.readsAwaitingApply.size > 0 ||
      this.deferred.length >= this.maxDeferredEntries ||
      this.node.stateRole === StateRole.Leader ||
      this.deferred.some((e) => e.type === EntryType.ConfChange)
    );
  }

  private readonly applyLate = (): void => {
    this.applyTimer = undefined;
    if (this.stopped) return;
    try {
      this.applyWaiting();
      this.maybeSnapshot();
    } catch (err) {
      this.die(err as Error);
      return;
    }
    this.schedule();
  };

  private cancelApplyTimer(): void {
    this.applyTimer?.cancel();
    this.applyTimer = undefined;
  }

  /** The Ready changes neither the term nor the vote (those must be durable before any message). */
  private keepsTermAndVote(rd: Ready): boolean {
    if (!rd.hardState) return true;
    const stored = this.store.currentHardState;
    return rd.hardState.term === stored.term && rd.hardState.vote === stored.vote;
  }

  private settleProposals(entries: readonly Entry[], results: readonly ApplyResult[]): void {
    if (this.proposals.size === 0) return;
    const byIndex = new Map(results.map((r) => [r.index, r]));
    for (const e of entries) {
      const w = this.proposals.get(e.index);
      if (!w) continue;
      this.proposals.delete(e.index);
      w.timer.cancel();
      const r = byIndex.get(e.index);
      if (e.term !== w.term) w.reject(new ProposalDroppedError(e.index));
      else if (r) w.resolve(r);
      else w.reject(new Error(`entry ${e.index} was committed but not applied`));
    }
  }

  private serveReads(): void {
    const applied = this.sm.appliedIndex();
    for (const ctx of [...this.readsAwaitingApply]) {
      const w = this.reads.get(ctx);
      if (!w) {
        this.readsAwaitingApply.delete(ctx);
        continue;
      }
      if (w.index! > applied) continue;
      this.readsAwaitingApply.delete(ctx);
      this.reads.delete(ctx);
      w.timer.cancel();
      w.resolve();
    }
  }

  private maybeSnapshot(): void {
    if (this.snapshotEvery <= 0) return;
    const applied = this.sm.appliedIndex();
    if (applied - this.lastSnapshotIndex < this.snapshotEvery) return;
    // After a crash the replica may be ahead of the commit index the log store kept (it is
    // written lazily): the node re-learns it from the leader. Until then the replica's image
    // cannot be labelled with an index the node has applied.
    if (this.node.status().applied !== applied) return;
    const data = this.sm.snapshot();
    this.node.compact(applied, data);
    const meta = this.node.snapshotMeta();
    if (!meta || meta.index !== applied) throw new Error(`raft: snapshot at ${applied} was not taken`);
    this.store.saveSnapshot({ meta, data });
    this.lastSnapshotIndex = applied;
    this.schedule(); // the compaction comes out in the next Ready
  }

  private awaitEntry(index: number, term: number, timeoutMs: number, what: string): Promise<ApplyResult> {
    this.schedule();
    return new Promise<ApplyResult>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.proposals.get(index)?.timer !== timer) return;
        this.proposals.delete(index);
        reject(new DbTimeoutError(`${what} (index ${index}) was not committed within ${timeoutMs} ms; it may still be applied`, true));
      }, timeoutMs);
      const previous = this.proposals.get(index);
      if (previous) {
        // The same index again: a new leader term reused it, so the older proposal lost its entry.
        previous.timer.cancel();
        previous.reject(new ProposalDroppedError(index));
      }
      this.proposals.set(index, { term, resolve, reject, timer });
    });
  }

  private notifyStatus(): void {
    if (this.statusListeners.size === 0) return;
    const n = this.node;
    const membership = n.currentMembership;
    if (
      n.stateRole === this.lastNotified.role &&
      n.currentTerm === this.lastNotified.term &&
      n.leader === this.lastNotified.leader &&
      membership === this.lastNotified.membership
    ) {
      return;
    }
    this.lastNotified = { role: n.stateRole, term: n.currentTerm, leader: n.leader, membership };
    const st = n.status();
    for (const l of [...this.statusListeners]) l(st);
  }

  private die(err: Error): void {
    this.fatal = err;
    this.stop();
    // The others must not count on a member whose Raft stopped (a leader would keep it as a voter
    // while it answers nothing): it says it is out, as a member that stops does.
    this.leaving = true;
    this.transport.announceLeaving();
    this.opts.onFatal?.(err);
  }

  private failAll(err: Error): void {
    for (const [index, w] of this.proposals) {
      this.proposals.delete(index);
      w.timer.cancel();
      w.reject(err);
    }
    for (const [ctx, w] of this.reads) {
      this.reads.delete(ctx);
      w.timer.cancel();
      w.reject(err);
    }
    this.readsAwaitingApply.clear();
  }

  private checkRunning(): void {
    if (this.stopped) throw this.closedError();
  }

  /** What requests get once the driver stopped: why, when it stopped on an error. */
  private closedError(): DbClosedError {
    return this.fatal ? DbClosedError.stoppedBy(this.fatal) : new DbClosedError();
  }
}

/** Whether a membership change entry touched `id` (for callers that follow membership). */
export function confChangeOf(e: Entry): ConfChange | undefined {
  return e.type === EntryType.ConfChange ? decodeConfChange(e.data) : undefined;
}

/** The role a member holds in a membership (undefined when absent). */
export function roleIn(membership: Membership, id: NodeId): Role | undefined {
  return membership.find((m) => m.id === id)?.role;
}

/** Whether `id` is the only voter of `membership`. */
function onlyVoter(membership: Membership, id: NodeId): boolean {
  const voters = membership.filter((m) => m.role === Role.Voter);
  return voters.length === 1 && voters[0].id === id;
}
