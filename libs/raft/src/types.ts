/**
 * Data types of the Raft state machine. Everything here is plain data: the
 * core never touches disks, sockets, clocks or randomness itself.
 */

export type NodeId = number;

/** Cluster roles, as LXD (dqlite) names them. */
export enum Role {
  /** Votes and is counted in the commit quorum. */
  Voter = 'voter',
  /** Receives the log but neither votes nor counts for quorum (a learner). */
  Standby = 'standby',
  /** Member of the configuration that receives nothing. */
  Spare = 'spare',
}

export enum EntryType {
  /** Application data; an empty `data` is the no-op a new leader appends. */
  Normal = 0,
  /** A single-server membership change; `data` is an encoded ConfChange. */
  ConfChange = 1,
}

export interface Entry {
  index: number;
  term: number;
  type: EntryType;
  data: Uint8Array;
}

/** Cluster membership: every member and its role. */
export type Membership = ReadonlyArray<{ readonly id: NodeId; readonly role: Role }>;

/**
 * One membership change. `add` adds a member (never directly as a voter: it
 * must catch up first), `assign` changes a member's role, `remove` removes it.
 */
export type ConfChange =
  | { kind: 'add' | 'assign'; id: NodeId; role: Role }
  | { kind: 'remove'; id: NodeId }
  /** The first entry of a new cluster: the initial membership. */
  | { kind: 'bootstrap'; membership: Membership };

/** Where a proposal went: appended by this leader, or forwarded to the leader. */
export type Proposal = { index: number; term: number } | { forwardedTo: NodeId };

/** What must survive a crash besides the log. */
export interface HardState {
  term: number;
  vote: NodeId | 0;
  commit: number;
}

export interface SnapshotMeta {
  index: number;
  term: number;
  membership: Membership;
}

export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

export enum MessageType {
  PreVote = 'pre-vote',
  PreVoteResp = 'pre-vote-resp',
  Vote = 'vote',
  VoteResp = 'vote-resp',
  Append = 'append',
  AppendResp = 'append-resp',
  Heartbeat = 'heartbeat',
  HeartbeatResp = 'heartbeat-resp',
  Snapshot = 'snapshot',
  SnapshotResp = 'snapshot-resp',
  TimeoutNow = 'timeout-now',
  /** A follower forwarding client proposals to the leader. */
  Propose = 'propose',
  /** A follower asking the leader for a read index. */
  ReadIndex = 'read-index',
  ReadIndexResp = 'read-index-resp',
}

/**
 * One message between nodes. Fields not used by a type are left undefined;
 * the transport encodes them as optional fields.
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;

  /** Append: index/term of the entry preceding `entries`. Vote: candidate's last index/term. */
  index?: number;
  logTerm?: number;
  entries?: Entry[];
  commit?: number;

  /** Responses: refusal, and for appends the follower's hint for fast back-off. */
  reject?: boolean;
  /** AppendResp: on success the follower's last matching index; on reject a hint index. */
  hintIndex?: number;
  hintTerm?: number;

  /** Vote/PreVote: campaign started by a leadership transfer (bypasses the leader lease). */
  transfer?: boolean;

  /** Snapshot chunk. */
  snapshot?: SnapshotChunk;
  /** SnapshotResp: the follower has installed the snapshot (or already had its entries). */
  done?: boolean;

  /** ReadIndex / heartbeat read contexts. */
  context?: string;
  /** Heartbeat: the leader's tick when it was sent, echoed in the response (lease reads). */
  sentTick?: number;
  /** ReadIndex: the follower asks for a read lease as well (leaseReads). */
  wantLease?: boolean;
  /** ReadIndexResp: a read lease of this many ticks, counted from when the follower asked. */
  leaseTicks?: number;
}

export interface SnapshotChunk {
  meta: SnapshotMeta;
  /** Byte offset of `data` within the whole snapshot. */
  offset: number;
  data: Uint8Array;
  /** Total size of the snapshot in bytes. */
  total: number;
  /** The last chunk. */
  done: boolean;
}

/** A linearizable read point: the read identified by `context` may be served once `index` is applied. */
export interface ReadState {
  context: string;
  index: number;
}

export interface ReadFailure {
  context: string;
  reason: RaftErrorCode;
  leaderId: NodeId | 0;
}

export enum RaftErrorCode {
  NotLeader = 'not-leader',
  NoLeader = 'no-leader',
  TransferInProgress = 'transfer-in-progress',
  ConfChangeInProgress = 'conf-change-in-progress',
  NotCaughtUp = 'not-caught-up',
  UnknownMember = 'unknown-member',
  InvalidChange = 'invalid-change',
  LeadershipLost = 'leadership-lost',
}

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    message: string,
    readonly leaderId: NodeId | 0 = 0,
  ) {
    super(message);
    this.name = 'RaftError';
  }
}

export enum StateRole {
  Follower = 'follower',
  PreCandidate = 'pre-candidate',
  Candidate = 'candidate',
  Leader = 'leader',
}

/**
 * Output of the state machine. Handle in this order: persist `snapshot` (it
 * replaces the whole stored log: drop every stored entry and set the log base
 * to the snapshot's index and term), `entries` (truncating any stored entries
 * at or after `entries[0].index`) and `hardState` durably; apply `compact`;
 * then send `messages`; then restore the application state machine from
 * `snapshot` and apply `committedEntries`; serve `readStates` once their
 * index is applied.
 */
export interface Ready {
  hardState?: HardState;
  entries: Entry[];
  /** A snapshot received from the leader: persist it and restore the state machine from it. */
  snapshot?: Snapshot;
  /** Log entries at or before `index` may be deleted; `term` is the term of entry `index`. */
  compact?: { index: number; term: number };
  messages: Message[];
  committedEntries: Entry[];
  readStates: ReadState[];
  readFailures: ReadFailure[];
}

/** What a node finds on its disk when it starts. */
export interface PersistedState {
  hardState: HardState;
  snapshot?: Snapshot;
  /** The index and term of the entry just before `entries[0]` (0/0 for a fresh log). */
  logBase: { index: number; term: number };
  entries: Entry[];
  /** Entries up to this index are already reflected in the application state (defaults to the snapshot index). */
  applied?: number;
}

export interface RaftConfig {
  id: NodeId;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
  electionTicks: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  /**
   * Serve reads from a leader lease without a heartbeat round. Needs checkQuorum. A lease holds
   * until electionTicks - 2 ticks after the newest heartbeat a quorum acknowledged was sent; it is
   * safe as long as
   * - a follower's ticks are never closer together than a tick interval of real time (timers do
   *   not fire early; a follower that stalls only waits longer before it votes for another);
   * - the leader is told the time by a monotonic clock before every input (advanceClock), so
   *   that ticks it missed while stalled count against its lease;
   * - the clocks of different members run at the same rate to within a fraction of a tick per
   *   election timeout (their offsets do not matter).
   *
   * A follower that serves reads holds a read lease from the leader as well, which lets it serve
   * them without asking the leader each time. The leader grants one with a ReadIndex answer, for
   * no longer than its own lease holds, and until it runs out the leader commits nothing the
   * holder has not acknowledged and votes for no other candidate (in any term or role). The
   * holder serves a read at once while the lease holds and every entry in its log is known to be
   * committed (everything committed is then in its log, so it is applied). The price: a holder
   * that stops answering holds up commits until its lease runs out (at most electionTicks - 2).
   */
  leaseReads: boolean;
  /** Followers forward proposals to the leader instead of refusing them. */
  forwardProposals: boolean;
  maxEntriesPerMsg: number;
  maxBytesPerMsg: number;
  maxInflightMsgs: number;
  maxInflightBytes: number;
  snapshotChunkBytes: number;
  /** Entries kept behind a snapshot so slightly lagging followers need no snapshot. */
  snapshotTrailing: number;
  /** How far behind (in entries) a member may be and still be promoted to voter. */
  promotionLag: number;
  /** Source of randomness in [0, 1); seeded in tests. */
  random: () => number;
}

export const DEFAULT_RAFT_CONFIG: Omit<RaftConfig, 'id' | 'random'> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  leaseReads: false,
  forwardProposals: true,
  maxEntriesPerMsg: 256,
  maxBytesPerMsg: 1 << 20,
  maxInflightMsgs: 64,
  maxInflightBytes: 32 << 20,
  snapshotChunkBytes: 256 << 10,
  snapshotTrailing: 1024,
  promotionLag: 64,
};

export interface Status {
  id: NodeId;
  role: StateRole;
  term: number;
  vote: NodeId | 0;
  leaderId: NodeId | 0;
  commit: number;
  applied: number;
  firstIndex: number;
  lastIndex: number;
  membership: Membership;
  /** The member's own role in the latest membership (undefined when not a member). */
  memberRole?: Role;
  transferee: NodeId | 0;
  /** Leader only: replication progress per member. */
  progress?: Record<number, { match: number; next: number; state: string; recentActive: boolean }>;
}
