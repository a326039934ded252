/**
 * The typed errors of the global database's client API. Each has a stable `code` so that callers
 * (the REST API, forwarding between members) can tell them apart without instanceof.
 */
import type { ApplyError } from '../global/global-state-machine';

export interface MemberRef {
  id: number;
  address: string;
  name: string;
}

export type DbErrorCode = 'not-leader' | 'no-quorum' | 'timeout' | 'tx-failed' | 'refused' | 'closed';

export abstract class DbError extends Error {
  abstract readonly code: DbErrorCode;
}

/** A member as errors name it: its name and address, or what is known of it. */
export function describeMember(m: MemberRef): string {
  const label = m.name ? `${m.name} (${m.address || `id ${m.id}`})` : m.address || `id ${m.id}`;
  return label;
}

/** This member is not the leader and the request may not be forwarded (or the leader moved on). */
export class NotLeaderError extends DbError {
  readonly code = 'not-leader';
  constructor(readonly leader: MemberRef | undefined) {
    super(leader ? `not the database leader; the leader is ${describeMember(leader)}` : 'not the database leader, and no leader is known');
    this.name = 'NotLeaderError';
  }
}

/** No quorum of voters can be reached: the cluster cannot commit or confirm anything now. */
export class NoQuorumError extends DbError {
  readonly code = 'no-quorum';
  constructor(
    readonly unreachable: MemberRef[],
    readonly detail = 'no database leader can be elected or confirmed',
  ) {
    super(
      unreachable.length
        ? `the cluster database has no quorum (${detail}): cannot reach ${unreachable.map(describeMember).join(', ')}`
        : `the cluster database has no quorum (${detail})`,
    );
    this.name = 'NoQuorumError';
  }
}

/** The request did not complete in time. For a write, `outcomeUnknown` says it may still be applied. */
export class DbTimeoutError extends DbError {
  readonly code = 'timeout';
  constructor(
    message: string,
    readonly outcomeUnknown: boolean,
  ) {
    super(message);
    this.name = 'DbTimeoutError';
  }
}

/** The transaction was committed and failed deterministically on every member (constraint, SQL error, guard). */
export class TxFailedError extends DbError {
  readonly code = 'tx-failed';
  constructor(
    readonly failure: ApplyError,
    readonly index: number,
  ) {
    super(failure.statement !== undefined ? `statement ${failure.statement + 1}: ${failure.message}` : failure.message);
    this.name = 'TxFailedError';
  }

  /** SQLite's result code (e.g. SQLITE_CONSTRAINT_UNIQUE), or EXPECTATION_FAILED for a failed guard. */
  get sqlCode(): string {
    return this.failure.code;
  }
}

/** The request is malformed or not allowed (e.g. non-deterministic SQL in a write, a write as a query). */
export class DbRefusedError extends DbError {
  readonly code = 'refused';
  constructor(message: string) {
    super(message);
    this.name = 'DbRefusedError';
  }
}

/** The database is shutting down or closed. */
export class DbClosedError extends DbError {
  readonly code = 'closed';
  constructor(message = 'the cluster database is shutting down') {
    super(message);
    this.name = 'DbClosedError';
  }

  /** The database stopped on `cause` (a full disk, an I/O error). */
  static stoppedBy(cause: Error): DbClosedError {
    return new DbClosedError(`the cluster database stopped: ${cause.message}`);
  }
}
