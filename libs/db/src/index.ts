/**
 * @app/db — Cubed's databases: the member-local SQLite database (node-local state) and the
 * cluster-wide global SQLite database whose writes are replicated through @app/raft, with its
 * storage, transport and client API.
 */
export * from './raft-storage';
export * from './global';
export * from './local';
export * from './replication';
export * from './transport';
export { ClusterDatabase } from './cluster-database';
export type { ClusterDatabaseOptions, ClusterNetworkOptions } from './cluster-database';
export * from './recovery';
