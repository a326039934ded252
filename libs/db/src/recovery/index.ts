/**
 * Offline recovery of a member's global database (the daemon stopped): reading its stored Raft
 * state and rewriting the Raft membership it holds, and the matching change of its local database.
 */
export { rewriteRaftMembership, checkMembership } from './membership-rewrite';
export type { MembershipRewrite, MembershipRewriteOptions, MembershipRewriteStep } from './membership-rewrite';
export { readRaftStoreSummary } from './raft-store-summary';
export type { RaftStoreSummary } from './raft-store-summary';
export { membershipInForce, sameMembership, sortedMembership } from './membership-in-force';
export { replaceLocalRaftMembers, CLUSTER_ADDRESS_KEY } from './local-raft-members';
export { globalDbFile, raftStoreDir, GLOBAL_DB_FILE, RAFT_STORE_DIR } from './global-dir-layout';
export { hasRaftState } from './stored-raft-state';
export type { LogPosition } from './stored-raft-state';
export { NoRaftStateError, RaftStateMismatchError, InvalidMembershipError } from './errors';
