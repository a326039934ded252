/**
 * The member-local database schema (after LXD's node-local schema): settings of this member only,
 * patches run on this member, and the Raft membership this member knows (used to find the cluster
 * at start-up, before the global database is readable). Updates are applied locally, in order, each
 * in one transaction with its `schema` row. Never edit a released update: append a new one.
 */

export const LOCAL_SCHEMA_UPDATES: ReadonlyArray<ReadonlyArray<string>> = [
  [
    `CREATE TABLE config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (key)
)`,
    `CREATE TABLE patches (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  applied_at DATETIME NOT NULL,
  UNIQUE (name)
)`,
    // id is the member's Raft node id; role as dqlite numbers it: 0 voter, 1 stand-by, 2 spare.
    `CREATE TABLE raft_nodes (
  id INTEGER PRIMARY KEY NOT NULL,
  address TEXT NOT NULL,
  role INTEGER NOT NULL DEFAULT 0 CHECK (role IN (0, 1, 2)),
  name TEXT NOT NULL DEFAULT '',
  UNIQUE (address)
)`,
  ],
];

export const LOCAL_SCHEMA_VERSION = LOCAL_SCHEMA_UPDATES.length;
