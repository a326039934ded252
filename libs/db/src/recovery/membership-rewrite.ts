/**
 * Rewriting the Raft membership of a stopped member, offline (what `cluster edit` and
 * `cluster recover-from-quorum-loss` do to the global database's files).
 *
 * Raft keeps its configuration in the log: a node loads the membership of its latest snapshot and
 * applies every membership-change entry after it. The rewrite therefore produces a stored state
 * whose snapshot carries the new membership and whose log holds no other membership after it:
 *
 *   1. The replica (global.db) is brought up to the commit point: restored from the stored snapshot
 *      if it is behind it, then every committed entry it has not applied yet is applied. The commit
 *      point is the highest index known to be committed: the hard state's commit index, the
 *      snapshot's index, the log base, or the replica's applied index (applied entries were
 *      committed; the hard state keeps its commit index lazily).
 *   2. Membership changes after the commit point (proposed but not known to be committed) are
 *      rewritten in place to carry the new membership (a `bootstrap` change), newest segment first,
 *      each segment through a temporary file and a rename.
 *   3. A snapshot at the commit point is written: the replica's image, meta = the commit point's
 *      index and term and the new membership (temporary file, fsync, rename, fsync).
 *   4. The log is compacted up to the commit point (one durable hard-state write, then the segments
 *      wholly before it are deleted), and the hard state's commit index set to it. Term and vote
 *      are kept.
 *
 * The snapshot sits at the real position (index and term) of the last committed entry, and the
 * entries after it are kept as they are: every member that runs the same rewrite stays consistent
 * with the others' logs, whatever their commit points, and Raft settles the uncommitted entries as
 * usual once the members run again (a member left as the only voter commits all of them when it is
 * elected). Inventing a new term per member instead would let a member with fewer committed
 * entries win an election against one with more, or leave two members with one index under two
 * terms. The compaction matters for a member whose commit point is ahead of another's: it would
 * otherwise send the other one its old membership changes from before its commit point.
 *
 * Crash safety: step 1 only does what the daemon does when it starts (each entry is applied in one
 * SQLite transaction with the applied index; a restore replaces the file by a rename), so a crash
 * there leaves the old state. The first rename of step 2 (the segment holding the last
 * membership change), or the rename of step 3 when there is none, is the commit point of the
 * rewrite: before it the node loads the old membership, from it on the new one, because the last
 * membership in the log is then the new one. The later steps change nothing the node loads as its
 * membership; a crash between them leaves a loadable store (a snapshot and a log that still holds
 * the entries before it, an older snapshot file that the store deletes on open, a temporary file
 * the store ignores) which running the rewrite again completes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeConfChange, type Membership, type PersistedState, Role } from '@app/raft';
import { GlobalStateMachine } from '../global/global-state-machine';
import { fsyncDir } from '../raft-storage/fs-util';
import { RaftLogStore } from '../raft-storage/raft-log-store';
import { parseSnapshotFileName, writeSnapshotFile } from '../raft-storage/snapshot-file';
import { InvalidMembershipError, NoRaftStateError, RaftStateMismatchError } from './errors';
import { globalDbFile } from './global-dir-layout';
import { confChangeEntries, membershipInForce, sameMembership, sortedMembership } from './membership-in-force';
import { removeSegmentRewriteLeftovers, rewriteSegmentConfChanges, segmentFirstIndexes } from './segment-conf-rewrite';
import { existingRaftStoreDir, holdsNoLog, lastLogPosition, type LogPosition, termAt } from './stored-raft-state';

/** The durable steps of a rewrite, in order (see the file comment). */
export type MembershipRewriteStep = 'restore-replica' | 'apply-committed' | 'rewrite-segment' | 'write-snapshot' | 'remove-old-snapshots' | 'compact-log';

export interface MembershipRewriteOptions {
  /** Called before each durable step; an exception stops the rewrite right there, as a crash would. */
  beforeStep?: (step: MembershipRewriteStep) => void;
}

export interface MembershipRewrite {
  /** The membership the stored state held before, by id. */
  previousMembership: Membership;
  /** The membership it holds now, by id. */
  membership: Membership;
  /** The commit point: the snapshot that carries the membership. */
  snapshot: LogPosition;
  /** Committed entries the replica had not applied yet and the rewrite applied. */
  appliedEntries: number;
  /** Entries after the commit point, kept in the log. */
  uncommittedEntries: number;
  /** Membership changes among them, rewritten to carry the new membership. */
  rewrittenConfChanges: number;
}

/** What step 1 leaves for the others. */
interface CommitPoint {
  state: PersistedState;
  position: LogPosition;
  image: Uint8Array;
  appliedEntries: number;
}

const ROLES: ReadonlySet<string> = new Set([Role.Voter, Role.Standby, Role.Spare]);

/** Throws InvalidMembershipError unless Raft can run with `membership`. */
export function checkMembership(membership: Membership): void {
  if (membership.length === 0) throw new InvalidMembershipError('the membership has no member');
  const ids = new Set<number>();
  for (const m of membership) {
    if (!Number.isSafeInteger(m.id) || m.id <= 0) throw new InvalidMembershipError(`bad member id ${m.id}`);
    if (ids.has(m.id)) throw new InvalidMembershipError(`member id ${m.id} appears twice`);
    if (!ROLES.has(m.role)) throw new InvalidMembershipError(`member ${m.id} has an unknown role ${String(m.role)}`);
    ids.add(m.id);
  }
  if (!membership.some((m) => m.role === Role.Voter)) throw new InvalidMembershipError('the membership has no voter');
}

/**
 * Rewrites the Raft membership stored under `globalDir` (global.db and raft/) to `membership`.
 * The member must be stopped. Throws NoRaftStateError when there is no Raft state or no log,
 * RaftStateMismatchError when the replica does not belong to the log, InvalidMembershipError for
 * a membership Raft cannot run with; nothing is written then.
 */
export function rewriteRaftMembership(globalDir: string, membership: Membership, opts: MembershipRewriteOptions = {}): MembershipRewrite {
  checkMembership(membership);
  const target = sortedMembership(membership);
  const step = opts.beforeStep ?? (() => undefined);
  const dir = existingRaftStoreDir(globalDir);
  removeSegmentRewriteLeftovers(dir);

  const commit = bringReplicaToCommitPoint(dir, globalDir, step);
  const { state, position } = commit;
  const previousMembership = sortedMembership(membershipInForce(state));

  // 2. Membership changes after the commit point, newest segment first.
  const tail = state.entries.filter((e) => e.index > position.index);
  const tailChanges = confChangeEntries(tail);
  let rewrittenConfChanges = 0;
  if (tailChanges.length > 0) {
    const data = encodeConfChange({ kind: 'bootstrap', membership: target });
    const firsts = segmentFirstIndexes(dir);
    for (let i = firsts.length - 1; i >= 0; i--) {
      const from = firsts[i];
      const to = i + 1 < firsts.length ? firsts[i + 1] : Infinity;
      if (!tailChanges.some((e) => e.index >= from && e.index < to)) continue;
      step('rewrite-segment');
      rewrittenConfChanges += rewriteSegmentConfChanges(dir, from, i === firsts.length - 1, position.index, data);
    }
    if (rewrittenConfChanges !== tailChanges.length) {
      throw new RaftStateMismatchError(
        `found ${tailChanges.length} membership change(s) after index ${position.index} in the log but rewrote ${rewrittenConfChanges}`,
      );
    }
  }

  // 3. The snapshot at the commit point.
  step('write-snapshot');
  const name = writeSnapshotFile(dir, { meta: { index: position.index, term: position.term, membership: target }, data: commit.image });
  step('remove-old-snapshots');
  removeSnapshotsOtherThan(dir, name);

  // 4. Log base and commit index at the snapshot.
  step('compact-log');
  const store = RaftLogStore.open(dir);
  try {
    const now = store.load();
    checkRewritten(now, position, target, dir);
    const hs = store.currentHardState;
    store.save({
      hardState: { term: hs.term, vote: hs.vote, commit: position.index },
      entries: [],
      ...(store.logBase.index < position.index ? { compact: position } : {}),
    });
  } finally {
    store.close();
  }

  return {
    previousMembership,
    membership: target,
    snapshot: position,
    appliedEntries: commit.appliedEntries,
    uncommittedEntries: tail.length,
    rewrittenConfChanges,
  };
}

/** Step 1: loads the stored state and brings the replica to the commit point; both are closed after. */
function bringReplicaToCommitPoint(dir: string, globalDir: string, step: (s: MembershipRewriteStep) => void): CommitPoint {
  const store = RaftLogStore.open(dir);
  let sm: GlobalStateMachine | undefined;
  try {
    const state = store.load();
    if (holdsNoLog(state)) {
      throw new NoRaftStateError(`the Raft log in ${dir} holds no entry and no snapshot: this member never received the cluster database`);
    }
    sm = GlobalStateMachine.open(globalDbFile(globalDir));
    const snap = state.snapshot;
    if (snap && sm.appliedIndex() < snap.meta.index) {
      step('restore-replica');
      sm.restore(snap.data, { index: snap.meta.index, term: snap.meta.term });
    }
    const replica = sm.appliedState();
    const covered = lastLogPosition(state).index;
    if (replica.index > covered) {
      throw new RaftStateMismatchError(
        `${sm.file} has applied entry ${replica.index} but the Raft log in ${dir} ends at ${covered}: the log does not belong to this database`,
      );
    }
    const replicaTerm = termAt(state, replica.index);
    if (replica.index > 0 && replicaTerm !== undefined && replicaTerm !== replica.term) {
      throw new RaftStateMismatchError(
        `${sm.file} has applied entry ${replica.index} of term ${replica.term} but the Raft log in ${dir} holds it with term ${replicaTerm}`,
      );
    }
    const index = Math.max(Math.min(state.hardState.commit, covered), snap?.meta.index ?? 0, state.logBase.index, replica.index);
    const missing = state.entries.filter((e) => e.index > replica.index && e.index <= index);
    if (missing.length !== index - replica.index) {
      throw new RaftStateMismatchError(
        `${sm.file} has applied entry ${replica.index} but the Raft log in ${dir} starts after ${state.logBase.index}: entries up to ${index} cannot be applied`,
      );
    }
    if (missing.length > 0) {
      step('apply-committed');
      sm.apply(missing);
    }
    const term = termAt(state, index);
    const applied = sm.appliedState();
    if (term === undefined || applied.index !== index || applied.term !== term) {
      throw new RaftStateMismatchError(`${sm.file} is at entry ${applied.index} (term ${applied.term}), not at the commit point ${index} (term ${term})`);
    }
    return { state, position: { index, term }, image: sm.snapshot(), appliedEntries: missing.length };
  } finally {
    sm?.close();
    store.close();
  }
}

/** Deletes every snapshot file but `keep`, durably. */
function removeSnapshotsOtherThan(dir: string, keep: string): void {
  let removed = false;
  for (const n of fs.readdirSync(dir)) {
    if (n !== keep && parseSnapshotFileName(n)) {
      fs.unlinkSync(path.join(dir, n));
      removed = true;
    }
  }
  if (removed) fsyncDir(dir);
}

/** The reopened store must load the snapshot at the commit point and the new membership. */
function checkRewritten(st: PersistedState, position: LogPosition, target: Membership, dir: string): void {
  const snap = st.snapshot?.meta;
  if (!snap || snap.index !== position.index || snap.term !== position.term) {
    throw new RaftStateMismatchError(`the Raft store in ${dir} does not load the snapshot at index ${position.index} (term ${position.term}) just written`);
  }
  if (!sameMembership(membershipInForce(st), target)) {
    throw new RaftStateMismatchError(`the Raft store in ${dir} does not load the membership just written`);
  }
}
