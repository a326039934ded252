import type { NodeId } from '@app/raft';
import type { RawRows, StatementResult } from '../global/global-state-machine';
import type { SqlParam } from '../global/replicated-tx';

export type ReadConsistency = 'linearizable' | 'local';

/** What a committed write did. */
export interface ExecResult {
  /** The log index the transaction was committed at. */
  index: number;
  /** Rows changed by all statements. */
  changes: number;
  lastInsertRowid: number | bigint;
  /** One result per statement. */
  statements: StatementResult[];
}

/**
 * The request went out to the member, but the connection broke before its answer came back:
 * for a write, the outcome is unknown.
 */
export class ForwardLostError extends Error {
  constructor(
    readonly target: NodeId,
    message: string,
  ) {
    super(message);
    this.name = 'ForwardLostError';
  }
}

/** The member could not be reached at all: the request was not delivered and may be retried. */
export class ForwardUnavailableError extends Error {
  constructor(
    readonly target: NodeId,
    message: string,
  ) {
    super(message);
    this.name = 'ForwardUnavailableError';
  }
}

/**
 * Sends requests to another member (the leader, for writes; any replica for reads of a member
 * without one). Errors the other member answered with come back as the same typed errors
 * (NotLeaderError, TxFailedError, NoQuorumError, ...); transport failures as ForwardLostError or
 * ForwardUnavailableError.
 */
export interface LeaderLink {
  /** `wireTx` is an encoded ProposedTx (leader values allowed). */
  exec(target: NodeId, wireTx: Uint8Array, timeoutMs: number): Promise<ExecResult>;
  query(target: NodeId, sql: string, params: readonly SqlParam[], consistency: ReadConsistency, timeoutMs: number): Promise<RawRows>;
}
