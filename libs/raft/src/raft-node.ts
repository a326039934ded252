import { applyConfChange, decodeConfChange, encodeConfChange, replicasOf, roleOf, votersOf } from './conf-change';
import { Progress, ProgressState } from './progress';
import { majority, quorumIndex } from './quorum';
import { entrySize, RaftLog } from './raft-log';
import { ReadIndexQueue } from './read-index-queue';
import {
  ConfChange,
  Entry,
  EntryType,
  HardState,
  Membership,
  Message,
  MessageType,
  NodeId,
  PersistedState,
  Proposal,
  RaftConfig,
  RaftError,
  RaftErrorCode,
  Ready,
  ReadFailure,
  ReadState,
  Role,
  Snapshot,
  SnapshotMeta,
  StateRole,
  Status,
} from './types';

type CampaignKind = 'pre-vote' | 'vote' | 'transfer';

/** A read lease a follower holds from its leader: until when (lease clock), for how long it was granted. */
interface ReadLease {
  term: number;
  leader: NodeId;
  until: number;
  ticks: number;
  /** The leader's commit index when it granted the lease. */
  fromIndex: number;
}

/** Ticks of clock drift a lease read tolerates between leader and followers. */
const LEASE_DRIFT_MARGIN_TICKS = 2;

/**
 * A Raft node as a pure state machine: messages, ticks and proposals go in,
 * and `ready()` hands out what to persist, send and apply.
 */
export class RaftNode {
  private readonly cfg: RaftConfig;
  readonly id: NodeId;
  private role = StateRole.Follower;
  private term: number;
  private vote: NodeId | 0;
  private leaderId: NodeId | 0 = 0;
  private readonly log: RaftLog;
  /** Membership after each configuration entry (oldest first); the last one is in force. */
  private confs: { index: number; membership: Membership }[];
  private snapshot?: Snapshot;

  private ticks = 0;
  /** Tick intervals since the start by the host's clock (advanceClock), for leases. */
  private hostTicks = 0;
  /**
   * With lease reads, a node that (re)starts does not vote during its first
   * election timeout: it may have promised a leader not to before it crashed.
   */
  private startupQuietOver = false;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private votes = new Map<NodeId, boolean>();
  private progress = new Map<NodeId, Progress>();
  private transferee: NodeId | 0 = 0;
  private transferElapsed = 0;
  private lastTransferTick = -Infinity;

  private readonly reads = new ReadIndexQueue();
  private readRoundPending = false;
  /** Reads asked before this leader committed an entry of its own term. */
  private readsAwaitingCommit: { context: string; requester: NodeId }[] = [];
  /** Follower: reads forwarded to the leader, by context. */
  private forwardedReads = new Map<string, NodeId>();
  /**
   * Read leases this node granted as a leader: until when (lease clock), by holder. Kept through
   * role changes: while a lease runs this node votes for no other candidate and, as a leader of
   * any term, commits nothing its holder has not acknowledged.
   */
  private readonly leasesGranted = new Map<NodeId, number>();
  /** Follower: the read lease it holds from its leader (see RaftConfig.leaseReads). */
  private readLease?: ReadLease;
  /** Follower: the ReadIndex that asked for a read lease, and when (lease clock). */
  private leaseAsk?: { context: string; at: number };
  private leaseAsks = 0;
  /** Follower: the snapshot being received. */
  private incoming?: { meta: SnapshotMeta; chunks: Uint8Array[]; received: number };

  // Output buffers.
  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  private readFailures: ReadFailure[] = [];
  private pendingSnapshot?: Snapshot;
  private pendingCompact?: { index: number; term: number };
  private lastHardState: HardState;

  constructor(config: RaftConfig, persisted: PersistedState) {
    this.cfg = config;
    this.id = config.id;
    this.term = persisted.hardState.term;
    this.vote = persisted.hardState.vote;
    this.snapshot = persisted.snapshot;

    let base = persisted.logBase;
    let entries = persisted.entries;
    const snap = persisted.snapshot?.meta;
    if (snap && snap.index > base.index) {
      const at = entries.find((e) => e.index === snap.index);
      if (!at || at.term !== snap.term) {
        base = { index: snap.index, term: snap.term };
        entries = [];
      }
    }
    const committed = Math.max(persisted.hardState.commit, snap?.index ?? 0, base.index);
    const applied = Math.max(persisted.applied ?? 0, snap?.index ?? 0);
    this.log = new RaftLog(base, entries, Math.min(committed, base.index + entries.length), Math.min(applied, committed));
    this.confs = [{ index: snap?.index ?? 0, membership: snap?.membership ?? [] }];
    for (const e of this.log.entries) {
      if (e.type === EntryType.ConfChange && e.index > (snap?.index ?? 0)) this.recordConf(e);
    }
    this.lastHardState = this.hardState();
    this.resetElectionTimeout();
  }

  /** Disk contents for the founding members of a new cluster. */
  static bootstrapState(membership: Membership): PersistedState {
    const entry: Entry = {
      index: 1,
      term: 1,
      type: EntryType.ConfChange,
      data: encodeConfChange({ kind: 'bootstrap', membership }),
    };
    return { hardState: { term: 1, vote: 0, commit: 1 }, logBase: { index: 0, term: 0 }, entries: [entry] };
  }

  /** Disk contents of a member that joins an existing cluster. */
  static emptyState(): PersistedState {
    return { hardState: { term: 0, vote: 0, commit: 0 }, logBase: { index: 0, term: 0 }, entries: [] };
  }

  // ---------------------------------------------------------------- inputs

  /**
   * The host's monotonic clock says `elapsed` tick intervals have passed since this node started.
   * Ticks come late when the host stalls (a blocked event loop, a paused process); a leader
   * measures its lease by the later of both counts, so that it never serves a read from a lease
   * that ran out while it was stalled. Elections keep counting ticks only (late ticks only make a
   * follower wait longer before it votes for somebody else).
   */
  advanceClock(elapsed: number): void {
    if (elapsed > this.hostTicks) this.hostTicks = elapsed;
  }

  /** Time for leases, in ticks: never behind the host's clock. */
  private leaseClock(): number {
    return Math.max(this.ticks, this.hostTicks);
  }

  tick(): void {
    this.ticks++;
    if (this.ticks >= this.cfg.electionTicks) this.startupQuietOver = true;
    if (this.role === StateRole.Leader) this.tickLeader();
    else this.tickElection();
  }

  propose(data: Uint8Array): Proposal {
    if (this.role !== StateRole.Leader) {
      if (this.leaderId === 0) throw new RaftError(RaftErrorCode.NoLeader, 'no leader is known');
      if (!this.cfg.forwardProposals) {
        throw new RaftError(RaftErrorCode.NotLeader, `not leader, leader is ${this.leaderId}`, this.leaderId);
      }
      this.send({ type: MessageType.Propose, to: this.leaderId, term: this.term, entries: [entryOf(0, 0, data)] });
      return { forwardedTo: this.leaderId };
    }
    if (this.transferee !== 0) {
      throw new RaftError(RaftErrorCode.TransferInProgress, `leadership is being transferred to ${this.transferee}`);
    }
    const e = this.appendAsLeader(EntryType.Normal, data);
    return { index: e.index, term: e.term };
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    if (this.role !== StateRole.Leader) {
      throw new RaftError(RaftErrorCode.NotLeader, `not leader, leader is ${this.leaderId || 'unknown'}`, this.leaderId);
    }
    if (this.transferee !== 0) {
      throw new RaftError(RaftErrorCode.TransferInProgress, `leadership is being transferred to ${this.transferee}`);
    }
    if (this.lastConfIndex() > this.log.committed || this.log.term(this.log.committed) !== this.term) {
      throw new RaftError(RaftErrorCode.ConfChangeInProgress, 'a membership change is still pending');
    }
    const membership = this.membership();
    const current = cc.kind === 'bootstrap' ? undefined : roleOf(membership, cc.id);
    switch (cc.kind) {
      case 'bootstrap':
        throw new RaftError(RaftErrorCode.InvalidChange, 'a running cluster cannot be bootstrapped again');
      case 'add':
        if (current !== undefined) throw new RaftError(RaftErrorCode.InvalidChange, `member ${cc.id} already exists`);
        if (cc.role === Role.Voter) {
          throw new RaftError(RaftErrorCode.InvalidChange, 'a new member joins as standby or spare and is promoted once caught up');
        }
        break;
      case 'assign': {
        if (current === undefined) throw new RaftError(RaftErrorCode.UnknownMember, `member ${cc.id} is not in the cluster`);
        if (cc.id === this.id && cc.role !== Role.Voter) {
          throw new RaftError(RaftErrorCode.InvalidChange, 'the leader cannot demote itself; transfer leadership first');
        }
        if (cc.role === Role.Voter && current !== Role.Voter) {
          const pr = this.progress.get(cc.id);
          if (!pr || !pr.recentActive || pr.match + this.cfg.promotionLag < this.log.lastIndex()) {
            throw new RaftError(RaftErrorCode.NotCaughtUp, `member ${cc.id} has not caught up with the log yet`);
          }
        }
        break;
      }
      case 'remove':
        if (current === undefined) throw new RaftError(RaftErrorCode.UnknownMember, `member ${cc.id} is not in the cluster`);
        if (cc.id === this.id) {
          throw new RaftError(RaftErrorCode.InvalidChange, 'the leader cannot remove itself; transfer leadership first');
        }
        break;
    }
    const e = this.appendAsLeader(EntryType.ConfChange, encodeConfChange(cc));
    return { index: e.index, term: e.term };
  }

  readIndex(context: string): void {
    if (this.role === StateRole.Leader) {
      this.leaderRead(context, this.id);
      return;
    }
    if (this.leaderId === 0) throw new RaftError(RaftErrorCode.NoLeader, 'no leader is known');
    const lease = this.leaseToServeFrom();
    if (lease) {
      this.readStates.push({ context, index: this.log.committed });
      if (2 * (lease.until - this.leaseClock()) < lease.ticks) this.askForReadLease(`\u0000lease ${this.id}:${++this.leaseAsks}`);
      return;
    }
    this.forwardedReads.set(context, this.leaderId);
    if (!this.askForReadLease(context)) this.send({ type: MessageType.ReadIndex, to: this.leaderId, term: this.term, context });
  }

  /**
   * A follower holding a read lease serves a read at once when every entry in its log is known
   * to be committed: whatever was committed before the read needed its acknowledgement, so it is
   * in its log, hence at or before its commit index. Entries since the lease was granted too.
   * Returns the lease when it may serve now.
   */
  private leaseToServeFrom(): ReadLease | undefined {
    const lease = this.readLease;
    const serves =
      lease !== undefined &&
      this.role === StateRole.Follower &&
      lease.term === this.term &&
      lease.leader === this.leaderId &&
      this.leaseClock() < lease.until &&
      this.log.committed >= lease.fromIndex &&
      this.log.lastIndex() === this.log.committed;
    return serves ? lease : undefined;
  }

  /** Sends a ReadIndex that asks for a read lease too, unless one is under way; returns whether it did. */
  private askForReadLease(context: string): boolean {
    if (!this.cfg.leaseReads) return false;
    const now = this.leaseClock();
    if (this.leaseAsk && now - this.leaseAsk.at < this.cfg.electionTicks) return false;
    this.leaseAsk = { context, at: now };
    this.send({ type: MessageType.ReadIndex, to: this.leaderId, term: this.term, context, wantLease: true });
    return true;
  }

  transferLeadership(to: NodeId): void {
    if (this.role !== StateRole.Leader) {
      throw new RaftError(RaftErrorCode.NotLeader, `not leader, leader is ${this.leaderId || 'unknown'}`, this.leaderId);
    }
    if (to === this.id) return;
    if (roleOf(this.membership(), to) !== Role.Voter) {
      throw new RaftError(RaftErrorCode.InvalidChange, `member ${to} is not a voter`);
    }
    if (this.transferee !== 0 && this.transferee !== to) {
      throw new RaftError(RaftErrorCode.TransferInProgress, `leadership is being transferred to ${this.transferee}`);
    }
    this.transferee = to;
    this.transferElapsed = 0;
    this.lastTransferTick = this.leaseClock();
    const pr = this.progress.get(to)!;
    if (pr.match !== this.log.lastIndex()) this.sendAppend(to, true);
    else this.maybeSendTimeoutNow();
  }

  /**
   * Tells the transferee to campaign once it has the whole log and no read lease granted to
   * anybody else runs (its campaign ignores the leader lease that the other holder relies on).
   */
  private maybeSendTimeoutNow(): void {
    const to = this.transferee;
    if (to === 0 || this.progress.get(to)?.match !== this.log.lastIndex() || this.grantedLeaseRuns(to)) return;
    this.send({ type: MessageType.TimeoutNow, to, term: this.term });
  }

  /**
   * Gives up a leadership transfer in progress: the leader takes proposals again. A TimeoutNow
   * already sent may still elect its target (lease reads stay off for a while: see leaseValid).
   */
  cancelLeadershipTransfer(): void {
    if (this.role === StateRole.Leader) this.transferee = 0;
  }

  /** The application snapshotted its state at applied index `index`. */
  compact(index: number, data: Uint8Array): void {
    if (index > this.log.applied) throw new Error(`raft: cannot snapshot at ${index}, applied is ${this.log.applied}`);
    if (this.snapshot && index <= this.snapshot.meta.index) return;
    const term = this.log.term(index);
    if (term === undefined) throw new Error(`raft: cannot snapshot at compacted index ${index}`);
    this.snapshot = { meta: { index, term, membership: this.membershipAt(index) }, data };
    const to = index - this.cfg.snapshotTrailing;
    if (to > this.log.base.index) {
      this.log.compactTo(to);
      this.pendingCompact = { ...this.log.base };
      const keep = this.confs.filter((c) => c.index > to);
      const last = this.confs.filter((c) => c.index <= to).pop();
      this.confs = last ? [last, ...keep] : keep;
    }
  }

  step(m: Message): void {
    if (m.to !== this.id) return;
    if (m.term > this.term) {
      if (m.type === MessageType.PreVote || m.type === MessageType.Vote) {
        if (this.grantedLeaseRuns(m.from)) return;
        const inLease =
          this.cfg.checkQuorum &&
          (this.leaderId !== 0 || (this.cfg.leaseReads && !this.startupQuietOver)) &&
          this.electionElapsed < this.cfg.electionTicks;
        if (!m.transfer && inLease) return;
      }
      if (m.type === MessageType.PreVote) {
        // A pre-vote never changes our term.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // Granted pre-votes carry the future term.
      } else if (m.type === MessageType.Append || m.type === MessageType.Heartbeat || m.type === MessageType.Snapshot) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, 0);
      }
    } else if (m.term < this.term) {
      if (m.type === MessageType.Append || m.type === MessageType.Heartbeat) {
        // Tell a stale leader about the newer term.
        this.send({ type: MessageType.AppendResp, to: m.from, term: this.term, reject: true, index: m.index ?? 0 });
      } else if (m.type === MessageType.PreVote) {
        this.send({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true });
      } else if (m.type === MessageType.Vote) {
        // Tell a stale candidate about the newer term, so it can catch up and be elected.
        this.send({ type: MessageType.VoteResp, to: m.from, term: this.term, reject: true });
      }
      return;
    }

    switch (m.type) {
      case MessageType.PreVote:
      case MessageType.Vote:
        this.handleVoteRequest(m);
        return;
    }
    switch (this.role) {
      case StateRole.Leader:
        this.stepLeader(m);
        break;
      case StateRole.Candidate:
      case StateRole.PreCandidate:
        this.stepCandidate(m);
        break;
      case StateRole.Follower:
        this.stepFollower(m);
        break;
    }
  }

  // ---------------------------------------------------------------- outputs

  hasReady(): boolean {
    return (
      this.readRoundPending ||
      this.msgs.length > 0 ||
      this.log.hasUnstable() ||
      this.log.hasCommitted() ||
      this.pendingSnapshot !== undefined ||
      this.pendingCompact !== undefined ||
      this.readStates.length > 0 ||
      this.readFailures.length > 0 ||
      !sameHardState(this.hardState(), this.lastHardState)
    );
  }

  ready(): Ready {
    if (this.readRoundPending) {
      this.readRoundPending = false;
      if (this.role === StateRole.Leader && this.reads.size > 0) this.broadcastHeartbeat();
    }
    const hs = this.hardState();
    const rd: Ready = {
      entries: this.log.takeUnstable(),
      messages: this.msgs,
      committedEntries: this.log.takeCommitted(),
      readStates: this.readStates,
      readFailures: this.readFailures,
    };
    if (!sameHardState(hs, this.lastHardState)) {
      rd.hardState = hs;
      this.lastHardState = hs;
    }
    if (this.pendingSnapshot) rd.snapshot = this.pendingSnapshot;
    if (this.pendingCompact) rd.compact = this.pendingCompact;
    this.pendingSnapshot = undefined;
    this.pendingCompact = undefined;
    this.msgs = [];
    this.readStates = [];
    this.readFailures = [];
    return rd;
  }

  status(): Status {
    const st: Status = {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leaderId: this.leaderId,
      commit: this.log.committed,
      applied: this.log.applied,
      firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(),
      membership: this.membership(),
      memberRole: roleOf(this.membership(), this.id),
      transferee: this.transferee,
    };
    if (this.role === StateRole.Leader) {
      st.progress = {};
      for (const [id, pr] of this.progress) {
        st.progress[id] = { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive };
      }
    }
    return st;
  }

  /** This node's state (cheaper than status() for hot paths). */
  get stateRole(): StateRole {
    return this.role;
  }

  /** The leader this node knows of (0 when none). */
  get leader(): NodeId | 0 {
    return this.leaderId;
  }

  get currentTerm(): number {
    return this.term;
  }

  /** The membership in force (the same object until it changes). */
  get currentMembership(): Membership {
    return this.membership();
  }

  debugLog(): { base: { index: number; term: number }; entries: readonly Entry[] } {
    return { base: { ...this.log.base }, entries: this.log.entries };
  }

  snapshotMeta(): SnapshotMeta | undefined {
    return this.snapshot?.meta;
  }

  // ---------------------------------------------------------------- roles

  private becomeFollower(term: number, leader: NodeId | 0): void {
    const wasLeader = this.role === StateRole.Leader;
    if (wasLeader) this.failLeaderReads();
    if (term !== this.term || leader !== this.leaderId) {
      this.failForwardedReads();
      this.incoming = undefined;
      this.readLease = undefined;
    }
    if (term !== this.term) {
      this.term = term;
      this.vote = 0;
    }
    this.role = StateRole.Follower;
    this.leaderId = leader;
    this.transferee = 0;
    this.progress.clear();
    this.electionElapsed = 0;
    this.resetElectionTimeout();
  }

  private becomeLeader(): void {
    this.role = StateRole.Leader;
    this.leaderId = this.id;
    this.transferee = 0;
    this.heartbeatElapsed = 0;
    this.electionElapsed = 0;
    this.progress.clear();
    this.syncProgress();
    for (const pr of this.progress.values()) pr.recentActive = true;
    this.appendAsLeader(EntryType.Normal, new Uint8Array(0));
  }

  private campaign(kind: CampaignKind): void {
    this.failForwardedReads();
    this.votes.clear();
    let voteTerm: number;
    if (kind === 'pre-vote') {
      this.role = StateRole.PreCandidate;
      this.leaderId = 0;
      voteTerm = this.term + 1;
    } else {
      this.role = StateRole.Candidate;
      this.term += 1;
      this.vote = this.id;
      this.leaderId = 0;
      voteTerm = this.term;
    }
    this.electionElapsed = 0;
    this.resetElectionTimeout();
    this.votes.set(this.id, true);
    if (this.tallyVotes() === 'won') {
      if (kind === 'pre-vote') this.campaign('vote');
      else this.becomeLeader();
      return;
    }
    const type = kind === 'pre-vote' ? MessageType.PreVote : MessageType.Vote;
    for (const id of votersOf(this.membership())) {
      if (id === this.id) continue;
      this.send({
        type,
        to: id,
        term: voteTerm,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        transfer: kind === 'transfer' ? true : undefined,
      });
    }
  }

  private tallyVotes(): 'won' | 'lost' | 'pending' {
    const voters = votersOf(this.membership());
    let granted = 0;
    let rejected = 0;
    for (const id of voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const need = majority(voters.length);
    if (granted >= need) return 'won';
    if (rejected > voters.length - need) return 'lost';
    return 'pending';
  }

  private isOnlyVoter(): boolean {
    const voters = votersOf(this.membership());
    return voters.length === 1 && voters[0] === this.id;
  }

  private isPromotable(): boolean {
    return roleOf(this.membership(), this.id) === Role.Voter;
  }

  // ---------------------------------------------------------------- ticks

  private tickElection(): void {
    this.electionElapsed++;
    // The only voter of its membership has nobody to wait for: no other member can lead or hold a
    // lease, so it campaigns at its first tick (a standalone member, or one that just bootstrapped,
    // is writable within a tick instead of an election timeout).
    if (this.isPromotable() && (this.electionElapsed >= this.randomizedElectionTimeout || this.isOnlyVoter())) {
      this.electionElapsed = 0;
      this.campaign(this.cfg.preVote ? 'pre-vote' : 'vote');
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        if (!this.quorumActive()) {
          this.becomeFollower(this.term, 0);
          return;
        }
        for (const pr of this.progress.values()) pr.recentActive = false;
      }
    }
    if (this.transferee !== 0 && ++this.transferElapsed >= this.cfg.electionTicks) {
      this.transferee = 0;
    }
    if (this.expireReadLeases()) {
      if (this.maybeCommit()) this.broadcastAppendNew();
      this.maybeSendTimeoutNow();
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  private quorumActive(): boolean {
    const voters = votersOf(this.membership());
    let active = 0;
    for (const id of voters) {
      if (id === this.id || this.progress.get(id)?.recentActive) active++;
    }
    return active >= majority(voters.length);
  }

  private resetElectionTimeout(): void {
    const n = this.cfg.electionTicks;
    this.randomizedElectionTimeout = n + Math.floor(this.cfg.random() * n);
  }

  // ---------------------------------------------------------------- votes

  private handleVoteRequest(m: Message): void {
    const pre = m.type === MessageType.PreVote;
    const respType = pre ? MessageType.PreVoteResp : MessageType.VoteResp;
    const canVote =
      this.vote === m.from ||
      (this.vote === 0 && this.leaderId === 0) ||
      (pre && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      this.send({ type: respType, to: m.from, term: m.term });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, to: m.from, term: this.term, reject: true });
    }
  }

  // ---------------------------------------------------------------- candidate

  private stepCandidate(m: Message): void {
    const myResp = this.role === StateRole.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.Append:
      case MessageType.Heartbeat:
      case MessageType.Snapshot:
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case MessageType.Propose:
        return;
      case myResp: {
        this.votes.set(m.from, !m.reject);
        const result = this.tallyVotes();
        if (result === 'won') {
          if (this.role === StateRole.PreCandidate) this.campaign('vote');
          else this.becomeLeader();
        } else if (result === 'lost') {
          this.becomeFollower(this.term, 0);
        }
        return;
      }
    }
  }

  // ---------------------------------------------------------------- follower

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.Append:
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.handleAppend(m);
        return;
      case MessageType.Heartbeat:
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
        this.send({ type: MessageType.HeartbeatResp, to: m.from, term: this.term, context: m.context, sentTick: m.sentTick });
        return;
      case MessageType.Snapshot:
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.handleSnapshotChunk(m);
        return;
      case MessageType.TimeoutNow:
        if (this.isPromotable()) this.campaign('transfer');
        return;
      case MessageType.Propose:
        if (this.leaderId !== 0 && this.cfg.forwardProposals) {
          this.send({ type: MessageType.Propose, to: this.leaderId, term: this.term, entries: m.entries });
        }
        return;
      case MessageType.ReadIndexResp: {
        const ctx = m.context ?? '';
        if (this.leaseAsk?.context === ctx) {
          const askedAt = this.leaseAsk.at;
          this.leaseAsk = undefined;
          if (!m.reject && m.leaseTicks && m.from === this.leaderId) {
            this.readLease = {
              term: this.term,
              leader: m.from,
              until: askedAt + m.leaseTicks - LEASE_DRIFT_MARGIN_TICKS,
              ticks: m.leaseTicks,
              fromIndex: m.index ?? 0,
            };
          }
        }
        if (!this.forwardedReads.has(ctx)) return;
        this.forwardedReads.delete(ctx);
        if (m.reject) {
          this.readFailures.push({ context: ctx, reason: RaftErrorCode.NotLeader, leaderId: this.leaderId });
        } else {
          this.readStates.push({ context: ctx, index: m.index ?? 0 });
        }
        return;
      }
    }
  }

  private handleAppend(m: Message): void {
    const prevIndex = m.index ?? 0;
    if (prevIndex < this.log.committed) {
      // Everything up to our commit index is known to match.
      const entries = (m.entries ?? []).filter((e) => e.index > this.log.committed);
      const prev = entries.length ? entries[0].index - 1 : this.log.committed;
      const last = this.log.maybeAppend(prev, this.log.term(prev)!, entries) ?? this.log.committed;
      this.afterFollowerAppend(entries);
      this.log.commitTo(Math.min(m.commit ?? 0, last));
      this.send({ type: MessageType.AppendResp, to: m.from, term: this.term, index: Math.max(last, this.log.committed) });
      return;
    }
    const last = this.log.maybeAppend(prevIndex, m.logTerm ?? 0, m.entries ?? []);
    if (last !== undefined) {
      this.afterFollowerAppend(m.entries ?? []);
      this.log.commitTo(Math.min(m.commit ?? 0, last));
      this.send({ type: MessageType.AppendResp, to: m.from, term: this.term, index: last });
      return;
    }
    const hintIndex = this.log.findConflictByTerm(Math.min(prevIndex, this.log.lastIndex()), m.logTerm ?? 0);
    this.send({
      type: MessageType.AppendResp,
      to: m.from,
      term: this.term,
      reject: true,
      index: prevIndex,
      hintIndex,
      hintTerm: this.log.term(hintIndex) ?? 0,
    });
  }

  /** Recomputes memberships after entries may have replaced part of the log. */
  private afterFollowerAppend(entries: Entry[]): void {
    if (entries.length === 0) return;
    this.rebuildConfsFrom(entries[0].index);
  }

  private rebuildConfsFrom(from: number): void {
    this.confs = this.confs.filter((c, i) => i === 0 || c.index < from);
    for (let i = Math.max(from, this.log.firstIndex()); i <= this.log.lastIndex(); i++) {
      const e = this.log.entry(i)!;
      if (e.type === EntryType.ConfChange && e.index > this.confs[0].index) this.recordConf(e);
    }
  }

  private handleSnapshotChunk(m: Message): void {
    const c = m.snapshot!;
    const reply = (reject: boolean, hintIndex: number, done = false): void =>
      this.send({ type: MessageType.SnapshotResp, to: m.from, term: this.term, reject, hintIndex, index: c.meta.index, done });
    if (c.meta.index <= this.log.committed) {
      this.incoming = undefined;
      reply(false, c.total, true);
      return;
    }
    if (c.offset === 0) {
      this.incoming = { meta: c.meta, chunks: [], received: 0 };
    }
    const inc = this.incoming;
    if (!inc || inc.meta.index !== c.meta.index || inc.meta.term !== c.meta.term || inc.received !== c.offset) {
      // Ask the leader to resend from what we have.
      reply(true, inc && inc.meta.index === c.meta.index && inc.meta.term === c.meta.term ? inc.received : 0);
      return;
    }
    inc.chunks.push(c.data);
    inc.received += c.data.length;
    if (!c.done) {
      reply(false, inc.received);
      return;
    }
    this.incoming = undefined;
    const data = concat(inc.chunks, inc.received);
    this.installSnapshot({ meta: inc.meta, data });
    reply(false, inc.received, true);
  }

  private installSnapshot(snap: Snapshot): void {
    const { index, term } = snap.meta;
    if (this.log.matchTerm(index, term)) {
      // Our log already has the snapshot's last entry: just move the commit index.
      this.log.commitTo(index);
      return;
    }
    this.log.restore(snap);
    this.snapshot = snap;
    this.pendingSnapshot = snap;
    this.confs = [{ index, membership: snap.meta.membership }];
  }

  // ---------------------------------------------------------------- leader

  private stepLeader(m: Message): void {
    switch (m.type) {
      case MessageType.Propose:
        if (this.transferee === 0) {
          for (const e of m.entries ?? []) this.appendAsLeader(EntryType.Normal, e.data);
        }
        return;
      case MessageType.ReadIndex:
        this.leaderRead(m.context ?? '', m.from, m.wantLease === true);
        return;
    }
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    switch (m.type) {
      case MessageType.AppendResp:
        this.handleAppendResp(m, pr);
        return;
      case MessageType.HeartbeatResp:
        pr.probeSent = false;
        if (m.sentTick !== undefined) pr.leaseAckTick = Math.max(pr.leaseAckTick, m.sentTick);
        if (pr.state === ProgressState.Replicate && pr.inflightFull()) pr.freeFirstInflight();
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
        if (m.context) this.ackRead(m.context, m.from);
        return;
      case MessageType.SnapshotResp:
        this.handleSnapshotResp(m, pr);
        return;
    }
  }

  private handleAppendResp(m: Message, pr: Progress): void {
    if (m.reject) {
      let hint = m.hintIndex ?? 0;
      if ((m.hintTerm ?? 0) > 0) hint = this.log.findConflictByTerm(hint, m.hintTerm!);
      if (pr.maybeDecrTo(m.index ?? 0, hint)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index ?? 0)) {
      if (wasPaused && !pr.isPaused()) this.sendAppend(m.from, false);
      return;
    }
    if (pr.state === ProgressState.Probe) pr.becomeReplicate();
    else if (pr.state === ProgressState.Snapshot && pr.match >= pr.snapshotIndex) pr.becomeProbe();
    // A new commit index travels with the next entries or heartbeat, not in extra empty appends:
    // under load the next append follows at once, and a read on a follower learns it from the
    // heartbeat round that confirms the read. That halves the messages per write.
    if (this.maybeCommit()) this.broadcastAppendNew();
    else if (this.sendsNewEntriesNow(m.from, pr)) this.sendAppend(m.from, false);
    // Keep the pipeline full.
    while (pr.state === ProgressState.Replicate && !pr.isPaused() && pr.next <= this.log.lastIndex() && this.sendsNewEntriesNow(m.from, pr)) {
      if (!this.sendAppend(m.from, false)) break;
    }
    if (m.from === this.transferee) this.maybeSendTimeoutNow();
  }

  private handleSnapshotResp(m: Message, pr: Progress): void {
    if (pr.state !== ProgressState.Snapshot || m.index !== pr.snapshotIndex) return;
    if (m.done) {
      // Installed (or already had it).
      pr.match = Math.max(pr.match, pr.snapshotIndex);
      pr.becomeProbe();
      this.sendAppend(m.from, true);
      return;
    }
    pr.snapshotOffset = m.hintIndex ?? 0;
    this.sendSnapshotChunk(m.from, pr);
  }

  private broadcastHeartbeat(): void {
    const context = this.reads.lastContext();
    for (const [id, pr] of this.progress) {
      this.send({
        type: MessageType.Heartbeat,
        to: id,
        term: this.term,
        commit: Math.min(pr.match, this.log.committed),
        context,
        sentTick: this.leaseClock(),
      });
      if (pr.state === ProgressState.Snapshot && this.ticks - pr.snapshotSentAt >= this.cfg.electionTicks) {
        this.sendSnapshotChunk(id, pr);
      }
    }
  }

  /** Sends one append to `to` if its progress allows; returns whether it sent one. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      if (prevIndex > this.log.lastIndex()) {
        pr.next = this.log.lastIndex() + 1;
        return this.sendAppend(to, sendIfEmpty);
      }
      return this.startSnapshot(to, pr);
    }
    const entries = this.log.slice(pr.next, this.log.lastIndex(), this.cfg.maxEntriesPerMsg, this.cfg.maxBytesPerMsg);
    if (entries.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of entries) bytes += entrySize(e);
    this.send({ type: MessageType.Append, to, term: this.term, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    pr.sentAppend(prevIndex + entries.length, bytes, entries.length);
    return true;
  }

  private startSnapshot(to: NodeId, pr: Progress): boolean {
    if (!this.snapshot || !pr.recentActive) return false;
    pr.becomeSnapshot(this.snapshot.meta.index);
    this.sendSnapshotChunk(to, pr);
    return true;
  }

  private sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const snap = this.snapshot;
    if (!snap || snap.meta.index !== pr.snapshotIndex) {
      pr.becomeProbe();
      return;
    }
    const offset = Math.min(pr.snapshotOffset, snap.data.length);
    const data = snap.data.subarray(offset, offset + this.cfg.snapshotChunkBytes);
    const done = offset + data.length >= snap.data.length;
    this.send({ type: MessageType.Snapshot, to, term: this.term, snapshot: { meta: snap.meta, offset, data, total: snap.data.length, done } });
    pr.snapshotSentAt = this.ticks;
  }

  private appendAsLeader(type: EntryType, data: Uint8Array): Entry {
    const e = entryOf(this.log.lastIndex() + 1, this.term, data, type);
    this.log.append([e]);
    if (type === EntryType.ConfChange) {
      this.recordConf(e);
      this.syncProgress();
    }
    this.maybeCommit();
    this.broadcastAppendNew();
    return e;
  }

  /** Sends new entries to followers that are not paused (standbys only once enough are waiting). */
  private broadcastAppendNew(): void {
    for (const [id, pr] of this.progress) if (this.sendsNewEntriesNow(id, pr)) this.sendAppend(id, false);
  }

  /**
   * Voters and read lease holders get every new entry at once. A standby counts for no quorum
   * (unless it holds a read lease, when commits wait for it): it gets new entries in
   * batches, once half the promotion lag is waiting, or else after the next heartbeat it answers
   * (and right away when it asks for a read). That saves it, under a steady trickle of writes, a
   * message, a disk sync and a wake-up per entry, and keeps it close enough to be promoted.
   */
  private sendsNewEntriesNow(id: NodeId, pr: Progress): boolean {
    if (roleOf(this.membership(), id) === Role.Voter || this.leasesGranted.has(id)) return true;
    return this.log.lastIndex() - (pr.next - 1) >= Math.max(1, Math.floor(this.cfg.promotionLag / 2));
  }

  /** Adds or removes progress trackers to match the membership in force. */
  private syncProgress(): void {
    const replicas = new Set(replicasOf(this.membership()));
    for (const id of [...this.progress.keys()]) if (!replicas.has(id)) this.progress.delete(id);
    for (const id of replicas) {
      if (id === this.id || this.progress.has(id)) continue;
      const pr = new Progress(this.log.lastIndex() + 1, this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
      pr.recentActive = true;
      this.progress.set(id, pr);
    }
  }

  /** Advances the commit index to what a quorum of voters has, for entries of this term only. */
  private maybeCommit(): boolean {
    const matches = votersOf(this.membership()).map((id) =>
      id === this.id ? this.log.lastIndex() : (this.progress.get(id)?.match ?? 0),
    );
    let q = quorumIndex(matches);
    // Nothing is committed that a read lease holder has not acknowledged.
    this.expireReadLeases();
    for (const id of this.leasesGranted.keys()) q = Math.min(q, this.progress.get(id)?.match ?? 0);
    if (q > this.log.committed && this.log.term(q) === this.term) {
      this.log.commitTo(q);
      this.releaseReadsAwaitingCommit();
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- reads

  private leaderRead(context: string, requester: NodeId, wantLease = false): void {
    if (this.log.term(this.log.committed) !== this.term) {
      this.readsAwaitingCommit.push({ context, requester });
      return;
    }
    const voters = votersOf(this.membership());
    if (voters.length === 1 || this.leaseValid()) {
      this.answerRead(context, requester, this.log.committed, wantLease ? this.grantReadLease(requester) : undefined);
      // Without a heartbeat round, a follower that asked learns the commit index from an append.
      if (requester !== this.id) this.sendAppend(requester, true);
      return;
    }
    this.reads.add({ context, index: this.log.committed, requester }, this.id);
    // One heartbeat round, sent with the next Ready, confirms every read queued until then.
    this.readRoundPending = true;
  }

  /**
   * A leader lease holds while a quorum acknowledged heartbeats sent less than
   * an election timeout ago (minus a margin for clock drift): until then none
   * of those voters grants a vote to anybody else.
   */
  private leaseValid(): boolean {
    return this.leaseClock() < this.leaseExpiry();
  }

  /** Until when (lease clock) the leader lease holds on the acknowledgements so far; -Infinity if it does not. */
  private leaseExpiry(): number {
    if (!this.cfg.leaseReads || !this.cfg.checkQuorum || this.transferee !== 0) return -Infinity;
    // A TimeoutNow already sent may still elect its target after the transfer was given up.
    if (this.leaseClock() - this.lastTransferTick < 2 * this.cfg.electionTicks) return -Infinity;
    const voters = votersOf(this.membership());
    const acked = voters.map((id) => (id === this.id ? Infinity : (this.progress.get(id)?.leaseAckTick ?? -Infinity)));
    acked.sort((a, b) => b - a);
    return acked[majority(voters.length) - 1] + this.cfg.electionTicks - LEASE_DRIFT_MARGIN_TICKS;
  }

  /**
   * Grants `to` a read lease for as long as the leader lease holds, in ticks, or undefined. Not with
   * a single voter: one that restarts campaigns at its first tick, before a lease it forgot is over.
   */
  private grantReadLease(to: NodeId): number | undefined {
    if (to === this.id || !this.progress.has(to) || votersOf(this.membership()).length === 1) return undefined;
    const now = this.leaseClock();
    const ticks = this.leaseExpiry() - now;
    if (ticks <= LEASE_DRIFT_MARGIN_TICKS + 1) return undefined;
    this.leasesGranted.set(to, Math.max(this.leasesGranted.get(to) ?? -Infinity, now + ticks));
    return ticks;
  }

  /** Whether a read lease this node granted to a member other than `except` still runs. */
  private grantedLeaseRuns(except: NodeId): boolean {
    if (this.leasesGranted.size === 0) return false;
    const now = this.leaseClock();
    for (const [id, until] of this.leasesGranted) if (id !== except && until > now) return true;
    return false;
  }

  /** Forgets read leases that ran out; returns whether there were any. */
  private expireReadLeases(): boolean {
    if (this.leasesGranted.size === 0) return false;
    const now = this.leaseClock();
    let expired = false;
    for (const [id, until] of this.leasesGranted) {
      if (until <= now) {
        this.leasesGranted.delete(id);
        expired = true;
      }
    }
    return expired;
  }

  private releaseReadsAwaitingCommit(): void {
    if (this.readsAwaitingCommit.length === 0 || this.log.term(this.log.committed) !== this.term) return;
    const waiting = this.readsAwaitingCommit;
    this.readsAwaitingCommit = [];
    for (const r of waiting) this.leaderRead(r.context, r.requester);
  }

  private ackRead(context: string, from: NodeId): void {
    const voters = new Set(votersOf(this.membership()));
    const confirmed = this.reads.ack(context, from, (acks) => {
      let n = 0;
      for (const id of acks) if (voters.has(id)) n++;
      return n >= majority(voters.size);
    });
    for (const r of confirmed) this.answerRead(r.context, r.requester, r.index);
  }

  private answerRead(context: string, requester: NodeId, index: number, leaseTicks?: number): void {
    if (requester === this.id) this.readStates.push({ context, index });
    else this.send({ type: MessageType.ReadIndexResp, to: requester, term: this.term, context, index, leaseTicks });
  }

  private failLeaderReads(): void {
    const pending = [...this.reads.drain(), ...this.readsAwaitingCommit];
    this.readsAwaitingCommit = [];
    for (const r of pending) {
      if (r.requester === this.id) {
        this.readFailures.push({ context: r.context, reason: RaftErrorCode.LeadershipLost, leaderId: 0 });
      }
    }
  }

  private failForwardedReads(): void {
    this.leaseAsk = undefined;
    for (const context of this.forwardedReads.keys()) {
      this.readFailures.push({ context, reason: RaftErrorCode.LeadershipLost, leaderId: 0 });
    }
    this.forwardedReads.clear();
  }

  // ---------------------------------------------------------------- membership

  private membership(): Membership {
    return this.confs[this.confs.length - 1].membership;
  }

  private membershipAt(index: number): Membership {
    let m = this.confs[0].membership;
    for (const c of this.confs) if (c.index <= index) m = c.membership;
    return m;
  }

  private lastConfIndex(): number {
    return this.confs[this.confs.length - 1].index;
  }

  private recordConf(e: Entry): void {
    const cc = decodeConfChange(e.data);
    this.confs.push({ index: e.index, membership: applyConfChange(this.membership(), cc) });
  }

  // ---------------------------------------------------------------- helpers

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private send(m: Omit<Message, 'from'>): void {
    this.msgs.push({ ...m, from: this.id } as Message);
  }
}

function entryOf(index: number, term: number, data: Uint8Array, type = EntryType.Normal): Entry {
  return { index, term, type, data };
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
