export { encodeTx, decodeTx, txOf, ReplicatedTxDecodeError } from './replicated-tx';
export type { ReplicatedTx, SqlParam, SqlStatement, EncodeTxOptions } from './replicated-tx';
export {
  assertDeterministic,
  assertNoTransactionControl,
  assertReplicable,
  findNonDeterminism,
  NonDeterministicSqlError,
  UnreplicableSqlError,
} from './deterministic-sql';
export { GlobalStateMachine, GlobalStateRestoreError } from './global-state-machine';
export type { ApplyResult, ApplyError, AppliedState, GlobalStateMachineOptions } from './global-state-machine';
export { GLOBAL_SCHEMA_UPDATES, GLOBAL_SCHEMA_VERSION, migrationTxs, schemaVersion } from './global-schema';
export { dumpSql, schemaSql, tableChecksums, sqlLiteral, quoteIdent } from './sqlite-inspect';
