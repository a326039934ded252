/**
 * The member's LOCAL database (local.db): state that belongs to this member only and is never
 * replicated. Every write is fsynced (synchronous = FULL): unlike the global database there is no
 * Raft log to replay it from.
 */
import Database from 'better-sqlite3';
import { Role } from '@app/raft';
import { dumpSql, schemaSql } from '../global/sqlite-inspect';
import { LOCAL_SCHEMA_UPDATES, LOCAL_SCHEMA_VERSION } from './local-schema';

/** A member's Raft role as stored in raft_nodes.role (dqlite's numbering). */
export enum RaftNodeRole {
  Voter = 0,
  Standby = 1,
  Spare = 2,
}

export interface RaftNodeInfo {
  /** Raft node id. */
  id: number;
  /** host:port of the member's cluster endpoint. */
  address: string;
  role: RaftNodeRole;
  /** Member name ('' when not known yet). */
  name: string;
}

export interface AppliedPatch {
  name: string;
  appliedAt: string;
}

export interface LocalSqlResult {
  changes: number;
  columns?: string[];
  rows?: unknown[][];
}

export interface LocalDatabaseOptions {
  /** Clock for schema and patch timestamps (tests). */
  now?: () => Date;
}

const ROLE_TO_RAFT: Record<RaftNodeRole, Role> = {
  [RaftNodeRole.Voter]: Role.Voter,
  [RaftNodeRole.Standby]: Role.Standby,
  [RaftNodeRole.Spare]: Role.Spare,
};

export function raftNodeRoleToRole(role: RaftNodeRole): Role {
  const r = ROLE_TO_RAFT[role];
  if (r === undefined) throw new RangeError(`local db: unknown raft node role ${role}`);
  return r;
}

export function roleToRaftNodeRole(role: Role): RaftNodeRole {
  switch (role) {
    case Role.Voter:
      return RaftNodeRole.Voter;
    case Role.Standby:
      return RaftNodeRole.Standby;
    case Role.Spare:
      return RaftNodeRole.Spare;
  }
  throw new RangeError(`local db: unknown raft role ${String(role)}`);
}

export class LocalDatabase {
  private readonly now: () => Date;
  private readonly statements = new Map<string, Database.Statement>();
  private writes = 0;

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
    opts: LocalDatabaseOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** Opens (creating if needed) the local database and brings its schema up to date. */
  static open(file: string, opts: LocalDatabaseOptions = {}): LocalDatabase {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      const local = new LocalDatabase(file, db, opts);
      local.migrate();
      return local;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private migrate(): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS schema (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  version INTEGER NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE (version)
)`);
    const current = this.schemaVersion();
    if (current > LOCAL_SCHEMA_VERSION) {
      throw new Error(`local db ${this.file}: schema version ${current} is newer than this program's ${LOCAL_SCHEMA_VERSION}`);
    }
    const record = this.db.prepare('INSERT INTO schema (version, updated_at) VALUES (?, ?)');
    for (let version = current + 1; version <= LOCAL_SCHEMA_VERSION; version++) {
      this.db.transaction(() => {
        for (const sql of LOCAL_SCHEMA_UPDATES[version - 1]) this.db.exec(sql);
        record.run(version, this.now().toISOString());
      }).immediate();
    }
  }

  /** Changes whenever this connection may have changed the database: callers cache what they read by it. */
  get revision(): number {
    return this.writes;
  }

  /** A statement prepared once per connection. */
  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  /** Schema version of the database (LOCAL_SCHEMA_VERSION once open). */
  schemaVersion(): number {
    const v = this.db.prepare('SELECT MAX(version) FROM schema').pluck().get() as number | null;
    return v ?? 0;
  }

  getConfig(key: string): string | undefined {
    const v = this.statement('SELECT value FROM config WHERE key = ?').pluck().get(key) as string | null | undefined;
    return v ?? undefined;
  }

  allConfig(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.statement('SELECT key, value FROM config WHERE value IS NOT NULL ORDER BY key').all() as { key: string; value: string }[]) {
      out[r.key] = r.value;
    }
    return out;
  }

  setConfig(key: string, value: string): void {
    this.setConfigs({ [key]: value });
  }

  /** Sets several keys in one transaction; a null value unsets the key. */
  setConfigs(values: Record<string, string | null>): void {
    const upsert = this.statement('INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    const del = this.statement('DELETE FROM config WHERE key = ?');
    this.writes++;
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(values)) {
        if (value === null) del.run(key);
        else if (typeof value !== 'string') throw new TypeError(`local db: config ${key} must be a string`);
        else upsert.run(key, value);
      }
    }).immediate();
  }

  /** Removes a key; true if it was set. */
  unsetConfig(key: string): boolean {
    this.writes++;
    return this.statement('DELETE FROM config WHERE key = ?').run(key).changes > 0;
  }

  /** The Raft members this member knows of, by id. */
  raftNodes(): RaftNodeInfo[] {
    return this.statement('SELECT id, address, role, name FROM raft_nodes ORDER BY id').all() as RaftNodeInfo[];
  }

  /** Replaces the whole list of Raft members, atomically. */
  replaceRaftNodes(nodes: readonly RaftNodeInfo[]): void {
    for (const n of nodes) {
      if (!Number.isSafeInteger(n.id) || n.id <= 0) throw new RangeError(`local db: bad raft node id ${n.id}`);
      if (!(n.role in ROLE_TO_RAFT)) throw new RangeError(`local db: bad raft node role ${n.role} for node ${n.id}`);
      if (typeof n.address !== 'string' || n.address === '') throw new TypeError(`local db: raft node ${n.id} has no address`);
    }
    const insert = this.db.prepare('INSERT INTO raft_nodes (id, address, role, name) VALUES (?, ?, ?, ?)');
    this.writes++;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM raft_nodes').run();
      for (const n of nodes) insert.run(n.id, n.address, n.role, n.name ?? '');
    }).immediate();
  }

  /** Records that a patch ran on this member; false if it was already recorded. */
  markPatchApplied(name: string, at: Date = this.now()): boolean {
    this.writes++;
    return this.db.prepare('INSERT INTO patches (name, applied_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, at.toISOString()).changes > 0;
  }

  isPatchApplied(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM patches WHERE name = ?').get(name) !== undefined;
  }

  appliedPatches(): AppliedPatch[] {
    return this.db.prepare('SELECT name, applied_at AS appliedAt FROM patches ORDER BY id').all() as AppliedPatch[];
  }

  /**
   * Runs administrator SQL (`cubed sql local`): the statements in one transaction, rolled back as a
   * whole if one fails. A statement that returns rows gives its columns and rows, others the number
   * of rows they changed.
   */
  executeSql(statements: readonly string[]): LocalSqlResult[] {
    this.writes++;
    return this.db.transaction(() =>
      statements.map((sql): LocalSqlResult => {
        const stmt = this.db.prepare(sql);
        if (stmt.reader) {
          const rows = stmt.raw(true).all() as unknown[][];
          return { columns: stmt.columns().map((c) => c.name), rows, changes: 0 };
        }
        return { changes: stmt.run().changes };
      }),
    )();
  }

  /** CREATE statements of the schema (like sqlite3's `.schema`). */
  schemaSql(): string {
    return schemaSql(this.db);
  }

  /** The whole database as SQL (like sqlite3's `.dump`). */
  dumpSql(): string {
    return dumpSql(this.db);
  }

  /** The connection, for tests and tools (reading; writes through it do not change `revision`). */
  get connection(): Database.Database {
    return this.db;
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
