/**
 * @app/db — Cubed's databases: the member-local SQLite database (node-local state) and the
 * cluster-wide global SQLite database whose writes are replicated through @app/raft. Also home of
 * the protobuf definitions and generated code for the replicated commands.
 */
export {};
export * from './raft-storage';
export * from './global';
export * from './local';
