/**
 * Why an offline recovery operation on a member's global database refused to run. Nothing has
 * been written when one of these is thrown.
 */

/** The directory holds no Raft state, or a Raft log without any entry or snapshot. */
export class NoRaftStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoRaftStateError';
  }
}

/** The replica and the Raft log do not belong together (the replica is ahead of the log). */
export class RaftStateMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftStateMismatchError';
  }
}

/** A membership that Raft cannot run with (no member, a duplicate id, no voter). */
export class InvalidMembershipError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMembershipError';
  }
}
