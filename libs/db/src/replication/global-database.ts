/**
 * GlobalDatabase: the client API of the replicated global database, usable on every member.
 *
 * - exec(tx): a write. On the leader it is proposed at once (concurrent writes share one log
 *   append, fsync and replication round: see RaftDriver); elsewhere it is forwarded to the leader,
 *   which fixes the leader values (time, random) and answers with the apply result. Every write
 *   gets a transaction id that its retries keep, and the state machine applies an id once: a write
 *   whose leader died before answering is submitted again to the next leader, which answers with
 *   the outcome of the first submission if that one was committed after all.
 * - query(sql, params, {consistency}): a read. `linearizable` (the default) first obtains a read
 *   point with ReadIndex, so it sees every write acknowledged before it started; `local` reads this
 *   member's replica as it is (possibly stale). A member without a replica (a spare) forwards.
 *
 * Errors are typed (db-errors.ts): not leader, no quorum (naming the members that cannot be
 * reached), timeout (saying whether a write's outcome is unknown), a deterministic transaction
 * failure, a refused request. Nothing waits forever: every request has a deadline, and without a
 * leader for `noLeaderTimeoutMs` requests fail fast with NoQuorumError.
 */
import { type NodeId, RaftError, Role, StateRole, type Status } from '@app/raft';
import { type GlobalStateMachine, type RawRows, rowObjects } from '../global/global-state-machine';
import {
  decodeTx,
  encodeTx,
  fixLeaderValues,
  type LeaderValueSource,
  newTxId,
  type ProposedTx,
  type SqlParam,
  SYSTEM_LEADER_VALUES,
} from '../global/replicated-tx';
import { type Clock, SYSTEM_CLOCK } from './clock';
import { DbClosedError, DbRefusedError, DbTimeoutError, describeMember, type MemberRef, NoQuorumError, NotLeaderError, TxFailedError } from './db-errors';
import { type ExecResult, ForwardLostError, ForwardUnavailableError, type LeaderLink, type ReadConsistency } from './leader-link';
import type { PeerDirectory } from './peer-directory';
import { ProposalDroppedError, type RaftDriver, ReadBarrierError, TransferTargetLeavingError } from './raft-driver';
import type { RaftTransport } from './raft-transport';

export interface GlobalDatabaseOptions {
  driver: RaftDriver;
  stateMachine: GlobalStateMachine;
  peers: PeerDirectory;
  /** For reachability, when naming unreachable members. */
  transport: RaftTransport;
  /** Forwarding to other members; without it a follower answers NotLeaderError. */
  link?: LeaderLink;
  clock?: Clock;
  /** Deadline of a write (default 4 s). */
  execTimeoutMs?: number;
  /** Deadline of a read (default 4 s). */
  queryTimeoutMs?: number;
  /** Requests fail with NoQuorumError once no leader has been known for this long (default 3 s). */
  noLeaderTimeoutMs?: number;
  leaderValues?: LeaderValueSource;
}

export interface ExecOptions {
  timeoutMs?: number;
}

export interface QueryOptions {
  consistency?: ReadConsistency;
  timeoutMs?: number;
}

export interface MemberStatus extends MemberRef {
  role: Role;
  /** Reachable from this member now (always true for itself). */
  reachable: boolean;
}

export interface DatabaseStatus {
  id: NodeId;
  /** This member's Raft state. */
  state: StateRole;
  /** This member's role in the membership (undefined when it is not a member). */
  role?: Role;
  term: number;
  leader?: MemberRef;
  members: MemberStatus[];
  commit: number;
  applied: number;
  /** The first entry this member still keeps in its log (older ones are in its snapshot). */
  firstIndex: number;
  lastIndex: number;
}

export { type ExecResult } from './leader-link';

/** Reads inside GlobalDatabase.read(). */
export interface ConsistentReader {
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
}

export class GlobalDatabase {
  private readonly driver: RaftDriver;
  private readonly sm: GlobalStateMachine;
  private readonly peers: PeerDirectory;
  private readonly transport: RaftTransport;
  private readonly link?: LeaderLink;
  private readonly clock: Clock;
  private readonly execTimeoutMs: number;
  private readonly queryTimeoutMs: number;
  private readonly noLeaderTimeoutMs: number;
  private readonly leaderValues: LeaderValueSource;
  private closed = false;
  /** Since when no leader has been known (undefined while one is). */
  private leaderlessSince?: number;
  /** For members that hear no Raft traffic (spares): the leader other members named last. */
  private leaderHint: NodeId | 0 = 0;
  private readonly waiters = new Set<() => void>();
  private readonly offStatus: () => void;

  constructor(opts: GlobalDatabaseOptions) {
    this.driver = opts.driver;
    this.sm = opts.stateMachine;
    this.peers = opts.peers;
    this.transport = opts.transport;
    this.link = opts.link;
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.execTimeoutMs = opts.execTimeoutMs ?? 4000;
    this.queryTimeoutMs = opts.queryTimeoutMs ?? 4000;
    this.noLeaderTimeoutMs = opts.noLeaderTimeoutMs ?? 3000;
    this.leaderValues = opts.leaderValues ?? SYSTEM_LEADER_VALUES;
    this.leaderlessSince = this.driver.leaderId() === 0 ? this.clock.now() : undefined;
    this.offStatus = this.driver.onStatusChange((st) => this.statusChanged(st));
  }

  // ---------------------------------------------------------------- writes

  /** Commits a transaction through the leader and returns what it did. */
  async exec(submitted: ProposedTx, opts: ExecOptions = {}): Promise<ExecResult> {
    const deadline = this.clock.now() + (opts.timeoutMs ?? this.execTimeoutMs);
    const tx: ProposedTx = submitted.id ? submitted : { ...submitted, id: newTxId() };
    let wire: Uint8Array | undefined;
    let sent = false;
    for (;;) {
      this.checkOpen();
      const left = deadline - this.clock.now();
      if (left <= 0) throw this.timedOut(`the write did not complete within ${opts.timeoutMs ?? this.execTimeoutMs} ms`, sent);
      if (this.driver.isLeader()) {
        const r = await this.tryExecAsLeader(tx, left);
        if (r) return r;
        sent = true;
        continue;
      }
      wire ??= this.encodeProposed(tx);
      const target = this.forwardTarget();
      if (target !== 0 && this.link) {
        try {
          return await this.untilLeaderChanges(target, this.driver.whileAway(this.link.exec(target, wire, left)));
        } catch (err) {
          if (err instanceof NotLeaderError) {
            this.leaderHint = err.leader?.id ?? 0;
            await this.waitForChange(Math.min(left, 50));
            continue;
          }
          if (err instanceof ForwardUnavailableError) {
            await this.waitForChange(Math.min(left, 50));
            continue;
          }
          if (err instanceof ForwardLostError || err instanceof DbClosedError) {
            // The leader went away, or its database stopped (a full disk) or is stopping, perhaps
            // after its followers took the write: the transaction id makes the retry (on the next
            // leader, or this one once reachable again) apply it at most once.
            sent = true;
            await this.waitForChange(Math.min(left, 50));
            continue;
          }
          throw err;
        }
      }
      if (target !== 0) throw new NotLeaderError(this.peers.ref(target));
      await this.waitForLeader(deadline);
    }
  }

  /**
   * A write forwarded by another member: executed here if this member leads, else NotLeaderError
   * (naming the leader) so that the sender retries there.
   */
  async execForwarded(wire: Uint8Array, timeoutMs: number): Promise<ExecResult> {
    let tx: ProposedTx;
    try {
      tx = decodeTx(wire, { leaderValues: true });
    } catch (err) {
      throw new DbRefusedError((err as Error).message);
    }
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      this.checkOpen();
      const left = deadline - this.clock.now();
      if (left <= 0) throw this.timedOut(`the write did not complete within ${timeoutMs} ms`, true);
      if (!this.driver.isLeader()) throw new NotLeaderError(this.leaderRef());
      const r = await this.tryExecAsLeader(tx, left);
      if (r) return r;
    }
  }

  /** One proposal on this leader: the result, or undefined when it should be retried. */
  private async tryExecAsLeader(tx: ProposedTx, left: number): Promise<ExecResult | undefined> {
    let data: Uint8Array;
    try {
      data = encodeTx(fixLeaderValues(tx, this.leaderValues));
    } catch (err) {
      throw new DbRefusedError((err as Error).message);
    }
    try {
      const r = await this.driver.propose(data, left);
      const index = r.duplicateOf ?? r.index;
      if (!r.ok) throw new TxFailedError(r.error, index);
      if (r.rowsDropped) throw new DbRefusedError(`the write was applied at index ${index}, but the rows it returned were too large to be kept for answering its retry`);
      return { index, changes: r.changes, lastInsertRowid: r.lastInsertRowid, statements: r.statements };
    } catch (err) {
      if (err instanceof ProposalDroppedError) return undefined;
      if (err instanceof RaftError) {
        // Leadership is moving (lost, or being transferred): wait for the new leader.
        await this.waitForChange(Math.min(left, 100));
        return undefined;
      }
      if (err instanceof DbTimeoutError) throw this.timedOut(err.message, err.outcomeUnknown);
      throw err;
    }
  }

  // ---------------------------------------------------------------- reads

  /** Rows as objects. */
  async query<T = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = [], opts: QueryOptions = {}): Promise<T[]> {
    return rowObjects(await this.queryRaw(sql, params, opts)) as T[];
  }

  /** Column names and rows as arrays. */
  async queryRaw(sql: string, params: readonly SqlParam[] = [], opts: QueryOptions = {}): Promise<RawRows> {
    const consistency = opts.consistency ?? 'linearizable';
    const timeoutMs = opts.timeoutMs ?? this.queryTimeoutMs;
    const deadline = this.clock.now() + timeoutMs;
    if (this.hasReplica()) {
      // The statement is checked against the replica's schema once the replica is as new as the
      // read point: a member still catching up may not have the tables yet.
      if (consistency === 'linearizable') await this.barrierUntil(deadline, timeoutMs);
      this.checkQuery(sql);
      return this.replica().queryRaw(sql, params);
    }
    for (;;) {
      this.checkOpen();
      const left = deadline - this.clock.now();
      if (left <= 0) throw this.timedOut(`the query did not complete within ${timeoutMs} ms`, false);
      const target = this.forwardTarget();
      if (target === 0 || !this.link) {
        if (target !== 0) throw new NotLeaderError(this.peers.ref(target));
        await this.waitForLeader(deadline);
        continue;
      }
      try {
        return await this.link.query(target, sql, params, consistency, left);
      } catch (err) {
        if (err instanceof NotLeaderError) this.leaderHint = err.leader?.id ?? 0;
        else if (!(err instanceof ForwardUnavailableError || err instanceof ForwardLostError)) throw err;
        await this.waitForChange(Math.min(left, 50)); // reads are safe to retry
      }
    }
  }

  /**
   * Several reads as of one linearizable point: one read barrier, then `fn` reads this member's
   * replica (no write is applied while `fn` runs synchronously between its awaits on local
   * reads). A member without a replica forwards each read instead.
   */
  async read<T>(fn: (reader: ConsistentReader) => Promise<T>, opts: QueryOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.queryTimeoutMs;
    if (this.hasReplica()) {
      if ((opts.consistency ?? 'linearizable') === 'linearizable') await this.barrierUntil(this.clock.now() + timeoutMs, timeoutMs);
      return fn({
        query: async <R>(sql: string, params: readonly SqlParam[] = []) => {
          this.checkQuery(sql);
          return this.replica().query<R>(sql, params);
        },
      });
    }
    return fn({ query: <R>(sql: string, params: readonly SqlParam[] = []) => this.query<R>(sql, params, opts) });
  }

  /** A read forwarded by a member without a replica. Never forwarded further. */
  async queryForwarded(sql: string, params: readonly SqlParam[], consistency: ReadConsistency, timeoutMs: number): Promise<RawRows> {
    if (!this.hasReplica()) throw new NotLeaderError(this.leaderRef());
    return this.queryRaw(sql, params, { consistency, timeoutMs });
  }

  /** Resolves once this replica reflects every write acknowledged before the call. */
  readBarrier(timeoutMs = this.queryTimeoutMs): Promise<void> {
    return this.barrierUntil(this.clock.now() + timeoutMs, timeoutMs);
  }

  private async barrierUntil(deadline: number, timeoutMs: number): Promise<void> {
    for (;;) {
      this.checkOpen();
      const left = deadline - this.clock.now();
      if (left <= 0) throw this.timedOut(`no linearizable read point within ${timeoutMs} ms`, false);
      try {
        await this.driver.readBarrier(left);
        return;
      } catch (err) {
        if (err instanceof ReadBarrierError) {
          if (this.driver.leaderId() === 0) await this.waitForLeader(deadline);
          else await this.waitForChange(Math.min(left, 20));
          continue;
        }
        if (err instanceof DbTimeoutError) throw this.timedOut(err.message, false);
        throw err;
      }
    }
  }

  /** Whether `sql` is one read-only statement that returns rows (as this member's replica sees it). */
  isQuery(sql: string): boolean {
    try {
      this.replica().checkQuery(sql);
      return true;
    } catch {
      return false;
    }
  }

  private checkQuery(sql: string): void {
    try {
      this.replica().checkQuery(sql);
    } catch (err) {
      throw new DbRefusedError((err as Error).message);
    }
  }

  // ---------------------------------------------------------------- membership

  /** Adds a member (as standby or spare; voters are promoted with assignRole once caught up). Leader only. */
  addMember(id: NodeId, role: Role, timeoutMs = this.execTimeoutMs): Promise<void> {
    return this.changeMembership({ kind: 'add', id, role }, timeoutMs);
  }

  assignRole(id: NodeId, role: Role, timeoutMs = this.execTimeoutMs): Promise<void> {
    return this.changeMembership({ kind: 'assign', id, role }, timeoutMs);
  }

  removeMember(id: NodeId, timeoutMs = this.execTimeoutMs): Promise<void> {
    return this.changeMembership({ kind: 'remove', id }, timeoutMs);
  }

  async transferLeadership(to: NodeId, timeoutMs = this.execTimeoutMs): Promise<void> {
    this.checkOpen();
    if (!this.driver.isLeader()) throw new NotLeaderError(this.leaderRef());
    await this.driver.transferLeadership(to, timeoutMs);
  }

  /**
   * Before this member stops: a leader hands its leadership to a reachable voter, trying the next
   * one when the one it picked turns out to be stopping too. Resolves with the member that leads
   * now, or undefined when this member does not lead or no voter is there to take over (every
   * other one is unreachable or stopping); rejects when a hand-over failed otherwise.
   */
  async handOverLeadership(timeoutMs = 3000): Promise<MemberRef | undefined> {
    const deadline = this.clock.now() + timeoutMs;
    const tried = new Set<NodeId>();
    for (;;) {
      if (this.closed || !this.driver.isLeader()) return undefined;
      const self = this.driver.id;
      const next = this.driver
        .membership()
        .find((m) => m.role === Role.Voter && m.id !== self && !tried.has(m.id) && this.reaches(m.id));
      if (!next) return undefined;
      tried.add(next.id);
      try {
        await this.driver.transferLeadership(next.id, Math.max(1, deadline - this.clock.now()));
        return this.peers.ref(next.id);
      } catch (err) {
        if (!(err instanceof TransferTargetLeavingError)) throw err;
      }
    }
  }

  /** This member is about to stop: see RaftDriver.prepareToStop. */
  prepareToStop(): void {
    if (!this.closed && this.driver.running) this.driver.prepareToStop();
  }

  private async changeMembership(cc: Parameters<RaftDriver['changeMembership']>[0], timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      this.checkOpen();
      if (!this.driver.isLeader()) throw new NotLeaderError(this.leaderRef());
      const left = deadline - this.clock.now();
      try {
        await this.driver.changeMembership(cc, Math.max(1, left));
        return;
      } catch (err) {
        // Another change is still being committed: wait for it, then try again.
        if (err instanceof RaftError && err.code === 'conf-change-in-progress' && left > 50) {
          await this.waitForChange(50);
          continue;
        }
        if (err instanceof RaftError) throw new DbRefusedError(err.message);
        throw err;
      }
    }
  }

  // ---------------------------------------------------------------- status

  status(): DatabaseStatus {
    const st = this.driver.status();
    return {
      id: st.id,
      state: st.role,
      role: st.memberRole,
      term: st.term,
      leader: st.leaderId ? this.peers.ref(st.leaderId) : undefined,
      members: st.membership.map((m) => ({
        ...this.peers.ref(m.id),
        role: m.role,
        reachable: m.id === st.id || this.reaches(m.id),
      })),
      commit: st.commit,
      applied: st.applied,
      firstIndex: st.firstIndex,
      lastIndex: st.lastIndex,
    };
  }

  /** The leader, when one is known. */
  leader(): MemberRef | undefined {
    return this.leaderRef();
  }

  /**
   * The state machine, for local-only reads and inspection (.schema, .dump, checksums), with every
   * entry this member knows to be committed applied.
   */
  get stateMachine(): GlobalStateMachine {
    return this.replica();
  }

  /** This member's replica, up to date with what it knows to be committed. */
  private replica(): GlobalStateMachine {
    if (!this.closed) this.driver.applyDeferred();
    return this.sm;
  }

  /** Stops serving; requests in flight fail with DbClosedError. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offStatus();
    for (const w of [...this.waiters]) w();
  }

  // ---------------------------------------------------------------- helpers

  private encodeProposed(tx: ProposedTx): Uint8Array {
    try {
      return encodeTx(tx, { leaderValues: true });
    } catch (err) {
      throw new DbRefusedError((err as Error).message);
    }
  }

  /** Whether this member keeps a replica of the global database (a voter or standby; not a spare). */
  holdsReplica(): boolean {
    return this.hasReplica();
  }

  private hasReplica(): boolean {
    const role = this.driver.memberRole();
    return role === Role.Voter || role === Role.Standby;
  }

  /**
   * Whether member `id` can be reached. The leader, which plans the roles from this, counts only
   * members it heard from lately: one that hangs keeps its connections open. Elsewhere an open
   * connection counts too (for the errors that name the members that cannot be reached).
   */
  private reaches(id: NodeId): boolean {
    return this.driver.isLeader() ? this.transport.heardFromRecently(id) : this.transport.isReachable(id);
  }

  /** Where to send a request this member cannot serve: the leader, or for a spare a hint or any voter. */
  private forwardTarget(): NodeId | 0 {
    const leader = this.driver.leaderId();
    if (leader !== 0) return leader;
    if (this.hasReplica()) return 0;
    if (this.leaderHint !== 0) return this.leaderHint;
    const voters = this.driver.membership().filter((m) => m.role === Role.Voter && m.id !== this.driver.id);
    const reachable = voters.filter((m) => this.transport.isReachable(m.id));
    return (reachable[0] ?? voters[0])?.id ?? 0;
  }

  private leaderRef(): MemberRef | undefined {
    const id = this.driver.leaderId() || this.leaderHint;
    return id ? this.peers.ref(id) : undefined;
  }

  private statusChanged(st: Status): void {
    if (st.leaderId === 0) this.leaderlessSince ??= this.clock.now();
    else {
      this.leaderlessSince = undefined;
      this.leaderHint = 0;
    }
    for (const w of [...this.waiters]) w();
  }

  /**
   * `forwarded` (a request to `target`, the leader when it was sent), or ForwardLostError as soon
   * as this member follows another leader: a leader that hangs would otherwise hold the request
   * until it times out, though a new one is elected within an election timeout. A write that the
   * old leader still applies is applied once: its retry carries the same transaction id.
   */
  private untilLeaderChanges<T>(target: NodeId, forwarded: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const leader = this.driver.leaderId();
        if (leader === 0 || leader === target) return;
        this.waiters.delete(check);
        reject(new ForwardLostError(target, `${describeMember(this.peers.ref(target))} is no longer the leader`));
      };
      this.waiters.add(check);
      forwarded.then(
        (r) => {
          this.waiters.delete(check);
          resolve(r);
        },
        (err: unknown) => {
          this.waiters.delete(check);
          reject(err);
        },
      );
    });
  }

  /** Resolves on the next status change, or after `ms`. */
  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        timer.cancel();
        resolve();
      };
      const timer = this.clock.setTimeout(done, Math.max(1, ms));
      this.waiters.add(done);
    });
  }

  /**
   * Waits until a leader is known; throws NoQuorumError when none has been for noLeaderTimeoutMs.
   * Even then a request waits one election timeout, in case a leader is about to be heard of.
   */
  private async waitForLeader(deadline: number): Promise<void> {
    const graceEnd = this.clock.now() + this.driver.electionTimeoutMs;
    for (;;) {
      this.checkOpen();
      if (this.driver.leaderId() !== 0 || (!this.hasReplica() && this.forwardTarget() !== 0)) return;
      const now = this.clock.now();
      const since = this.leaderlessSince ?? now;
      const giveUp = Math.min(deadline, Math.max(graceEnd, since + this.noLeaderTimeoutMs));
      if (now >= giveUp) throw this.noQuorum('no database leader is elected');
      await this.waitForChange(giveUp - now);
    }
  }

  /** A timeout, or NoQuorumError when a majority of voters cannot be reached. */
  private timedOut(message: string, outcomeUnknown: boolean): Error {
    const unreachable = this.unreachableVoters();
    const voters = this.driver.membership().filter((m) => m.role === Role.Voter);
    if (voters.length > 0 && voters.length - unreachable.length < Math.floor(voters.length / 2) + 1) {
      return this.noQuorum(outcomeUnknown ? 'the write may or may not have been applied' : 'a majority of voters cannot be reached');
    }
    return new DbTimeoutError(message, outcomeUnknown);
  }

  private noQuorum(detail: string): NoQuorumError {
    return new NoQuorumError(this.unreachableVoters().map((id) => this.peers.ref(id)), detail);
  }

  private unreachableVoters(): NodeId[] {
    const self = this.driver.id;
    return this.driver
      .membership()
      .filter((m) => m.role === Role.Voter && m.id !== self && !this.reaches(m.id))
      .map((m) => m.id);
  }

  private checkOpen(): void {
    // A database that stopped on an error says so while it is closed too (until it is opened again).
    const fatal = this.driver.failure;
    if (fatal) throw DbClosedError.stoppedBy(fatal);
    if (this.closed) throw new DbClosedError();
  }
}
