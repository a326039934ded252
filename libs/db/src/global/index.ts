export { encodeTx, decodeTx, txOf, fixLeaderValues, isLeaderValue, LEADER, SYSTEM_LEADER_VALUES, ReplicatedTxDecodeError } from './replicated-tx';
export type {
  ReplicatedTx,
  ProposedTx,
  SqlParam,
  TxParam,
  LeaderValue,
  LeaderValueSource,
  SqlStatement,
  EncodeTxOptions,
  DecodeTxOptions,
} from './replicated-tx';
export {
  assertDeterministic,
  assertNoTransactionControl,
  assertReplicable,
  findNonDeterminism,
  tokenizeSql,
  NonDeterministicSqlError,
  UnreplicableSqlError,
} from './deterministic-sql';
export { GlobalStateMachine, GlobalStateRestoreError, ReadOnlyQueryError, ExpectationFailedError, EXPECTATION_FAILED, rowObjects } from './global-state-machine';
export type { ApplyResult, ApplyError, AppliedState, GlobalStateMachineOptions, StatementResult, RawRows } from './global-state-machine';
export { GLOBAL_SCHEMA_UPDATES, GLOBAL_SCHEMA_VERSION, migrationTxs, schemaVersion } from './global-schema';
export { dumpSql, schemaSql, tableChecksums, sqlLiteral, quoteIdent } from './sqlite-inspect';
export { splitSqlStatements } from './sql-statements';
