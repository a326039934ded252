/**
 * A summary of a member's stored Raft state, for the recovery commands to show: where its log
 * ends, how far it is known to be committed, and the membership it holds.
 */
import type { Membership, NodeId } from '@app/raft';
import { RaftLogStore } from '../raft-storage/raft-log-store';
import { membershipInForce, sortedMembership } from './membership-in-force';
import { existingRaftStoreDir, holdsNoLog, lastLogPosition, type LogPosition } from './stored-raft-state';

export interface RaftStoreSummary {
  /** The current term and the vote cast in it (0: none). */
  term: number;
  vote: NodeId | 0;
  /** The highest index known to be committed (the hard state's, or the snapshot's if higher). */
  commitIndex: number;
  /** The last stored entry (or the snapshot's position when no entry follows it). */
  last: LogPosition;
  snapshot?: LogPosition;
  /** The membership the node loads (snapshot meta and the membership changes after it), by id. */
  membership: Membership;
  /** The store holds no entry and no snapshot. */
  empty: boolean;
}

/**
 * Reads the Raft state under `globalDir` (its raft/ directory). Opening the store repairs what a
 * crash can leave (a torn tail, an interrupted snapshot install), as the daemon does when it starts.
 * Throws NoRaftStateError when there is no Raft state.
 */
export function readRaftStoreSummary(globalDir: string): RaftStoreSummary {
  const store = RaftLogStore.open(existingRaftStoreDir(globalDir));
  try {
    const st = store.load();
    const last = lastLogPosition(st);
    const summary: RaftStoreSummary = {
      term: st.hardState.term,
      vote: st.hardState.vote,
      commitIndex: Math.min(Math.max(st.hardState.commit, st.snapshot?.meta.index ?? 0, st.logBase.index), Math.max(last.index, st.logBase.index)),
      last,
      membership: sortedMembership(membershipInForce(st)),
      empty: holdsNoLog(st),
    };
    if (st.snapshot) summary.snapshot = { index: st.snapshot.meta.index, term: st.snapshot.meta.term };
    return summary;
  } finally {
    store.close();
  }
}
