export { LocalDatabase, RaftNodeRole, raftNodeRoleToRole, roleToRaftNodeRole } from './local-database';
export type { RaftNodeInfo, AppliedPatch, LocalDatabaseOptions, LocalSqlResult } from './local-database';
export { LOCAL_SCHEMA_UPDATES, LOCAL_SCHEMA_VERSION } from './local-schema';
