/**
 * The global database's Raft state machine: every member's own copy of global.db, changed only by
 * applying committed log entries, in order, each exactly once.
 *
 * Invariants:
 * - `raft_applied` holds the index and term of the last applied entry and is updated in the same
 *   SQLite transaction as the entry's statements, so after a crash the database is exactly the
 *   result of applying entries 1..idx: nothing applied twice, nothing half-applied.
 * - Applying is a pure function of (database, entry): an entry whose statements fail for a
 *   deterministic reason (constraint violation, SQL error, bad parameters) fails the same way on
 *   every replica, so its statements are rolled back, the applied index still advances and the
 *   failure is reported in the result. Failures that are not deterministic (I/O errors, a full
 *   disk, a busy or corrupt database) are thrown instead, leaving the applied index where it was:
 *   the caller must stop applying (and retry or crash) rather than skip the entry.
 * - A transaction with an id is applied at most once: an entry whose transaction id is already
 *   recorded in raft_tx_results (applied-tx-results.ts) only advances the applied index and
 *   reports the recorded outcome, so a write submitted again after a lost answer is not repeated.
 * - Reads never write: query() only runs read-only statements.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { type Entry, EntryType } from '@app/raft';
import { forbiddenStatementKeyword } from './deterministic-sql';
import { writeFileDurably } from '../raft-storage/fs-util';
import { AppliedTxResults, type RecordedOutcome } from './applied-tx-results';
import { decodeTx, type ReplicatedTx, type SqlParam } from './replicated-tx';
import { dumpSql, schemaSql, tableChecksums } from './sqlite-inspect';

export interface AppliedState {
  index: number;
  term: number;
}

export interface ApplyError {
  /** SQLite's extended result code (e.g. SQLITE_CONSTRAINT_UNIQUE), or the JS error's name. */
  code: string;
  message: string;
  /** 0-based index of the failing statement, when one failed. */
  statement?: number;
}

/** What one statement of an applied entry did. */
export interface StatementResult {
  /** Rows changed (a write; for ... RETURNING one per returned row); 0 for a query. */
  changes: number;
  /** Column names and rows, for a statement that returns rows (SELECT, ... RETURNING). */
  columns?: string[];
  rows?: unknown[][];
}

export type ApplyResult =
  | {
      index: number;
      ok: true;
      /** Rows changed by the entry's statements (0 for no-op and membership entries). */
      changes: number;
      /** SQLite's last_insert_rowid() after the entry: meaningful only when the entry inserted a row. */
      lastInsertRowid: number | bigint;
      /** Rows returned by the entry's last statement that returns rows (SELECT, ... RETURNING), as objects. */
      rows?: unknown[];
      /** One result per statement, in order. */
      statements: StatementResult[];
      /** The transaction was applied before, by the entry at this index: this is that entry's outcome. */
      duplicateOf?: number;
      /** With duplicateOf: the outcome was recorded without the rows its statements returned (too large). */
      rowsDropped?: boolean;
    }
  | { index: number; ok: false; error: ApplyError; duplicateOf?: number };

/** Columns and rows of a query, rows as arrays in column order. */
export interface RawRows {
  columns: string[];
  rows: unknown[][];
}

export interface GlobalStateMachineOptions {
  /** Prepared statements kept (least recently used dropped first). Default 256. */
  statementCacheSize?: number;
  /** Return integers in results and query() rows as bigint (exact beyond 2^53). Default false. */
  safeIntegers?: boolean;
}

/** The database file does not hold what a restore expected. */
export class GlobalStateRestoreError extends Error {
  constructor(message: string) {
    super(`global db restore: ${message}`);
    this.name = 'GlobalStateRestoreError';
  }
}

/**
 * SQLite result codes (primary) that a statement fails with the same way on every replica given the
 * same database. Anything else (IOERR, FULL, BUSY, LOCKED, NOMEM, CORRUPT, READONLY, CANTOPEN,
 * INTERRUPT, ...) is a property of this member's environment and must not be recorded as the
 * entry's outcome.
 */
const DETERMINISTIC_SQLITE_CODES = new Set(['SQLITE_ERROR', 'SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_RANGE', 'SQLITE_TOOBIG', 'SQLITE_AUTH']);

function isDeterministicFailure(err: unknown): boolean {
  // Checked by name and code rather than instanceof: errors made by the native addon may come from
  // another realm's classes (e.g. under jest, which loads the addon once for all test files).
  const e = err as { name?: unknown; code?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    const primary = e.code.replace(/^(SQLITE_[A-Z]+)(_.*)?$/, '$1');
    return DETERMINISTIC_SQLITE_CODES.has(primary);
  }
  // better-sqlite3's own refusals before SQLite runs anything: wrong parameter count or type, an
  // out-of-range bigint, several statements in one string; and our own decode/statement checks.
  return typeof e?.name === 'string' && DETERMINISTIC_ERROR_NAMES.has(e.name);
}

const DETERMINISTIC_ERROR_NAMES = new Set(['RangeError', 'TypeError', 'ReplicatedTxDecodeError', 'StatementRefusedError', 'ExpectationFailedError']);

class StatementRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatementRefusedError';
  }
}

/** A guard statement's row count was not the one its transaction expected. */
export class ExpectationFailedError extends Error {
  readonly code = EXPECTATION_FAILED;
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the statement affected ${actual} rows, the transaction expected ${expected}`);
    this.name = 'ExpectationFailedError';
  }
}

/** ApplyError.code of a transaction whose guard statement failed (SqlStatement.expect). */
export const EXPECTATION_FAILED = 'EXPECTATION_FAILED';

/** The transaction of the entry being applied was applied before (its id is recorded). */
class AppliedBefore extends Error {}

/** An entry of a batch rolled back the batch's whole transaction. */
class BatchTransactionLost extends Error {}

class StatementFailure extends Error {
  constructor(
    readonly statement: number,
    readonly inner: unknown,
  ) {
    super('statement failed');
  }
}

function toApplyError(err: unknown, statement?: number): ApplyError {
  const e = err as Error & { code?: unknown };
  const code = typeof e?.code === 'string' ? e.code : (e?.name ?? 'Error');
  return { code, message: e?.message ?? String(err), ...(statement !== undefined ? { statement } : {}) };
}

/** Binds booleans as 0/1 (better-sqlite3 refuses them), like the replicated encoding does. */
function bindable(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/** A statement with its one-time checks done. */
interface Prepared {
  stmt: Database.Statement;
  /** Returns rows: run with all(). */
  reader: boolean;
  /** Does not write. */
  readonly: boolean;
  /** Why apply() and query() refuse it (transaction control, ATTACH, PRAGMA, ...), if they do. */
  refused?: string;
}

export class GlobalStateMachine {
  private db!: Database.Database;
  private readonly cache = new Map<string, Prepared>();
  private readonly cacheSize: number;
  private readonly safeIntegers: boolean;
  private applied: AppliedState = { index: 0, term: 0 };
  private setApplied!: Database.Statement;
  private runEntry!: (entry: Entry, tx: ReplicatedTx) => { changes: number; results: StatementResult[]; last?: RawRows; lastInsertRowid: number | bigint };
  /** Advances the applied index, recording the entry's outcome; false when its transaction was recorded before. */
  private advanceOnly!: (entry: Entry, record?: { tx: ReplicatedTx; outcome: RecordedOutcome }) => boolean;
  private txResults!: AppliedTxResults;
  private applyBatch!: (entries: Entry[]) => ApplyResult[];
  /** Inside applyBatch: the entries leave the applied index to the batch. */
  private inBatch = false;
  private lastRowid!: Database.Statement;

  private constructor(
    readonly file: string,
    opts: GlobalStateMachineOptions,
  ) {
    this.cacheSize = Math.max(1, opts.statementCacheSize ?? 256);
    this.safeIntegers = opts.safeIntegers ?? false;
  }

  /** Opens (creating if needed) the global database at `file`. */
  static open(file: string, opts: GlobalStateMachineOptions = {}): GlobalStateMachine {
    const sm = new GlobalStateMachine(file, opts);
    sm.connect();
    return sm;
  }

  private connect(): void {
    const db = new Database(this.file);
    try {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit is durable against process crashes but an OS crash or power
      // loss may roll back the latest transactions. The database stays consistent (raft_applied
      // rolls back with the data), and the Raft log, which is fsynced before entries commit, holds
      // every entry again: the member re-applies the entries after raft_applied on restart. FULL
      // would fsync the WAL on every applied entry for no gain in safety.
      db.pragma('synchronous = NORMAL');
      // This connection is the replica's only one: with the lock held from the first write on, a
      // commit takes no file locks (see bench:apply in bench/RESULTS.md), and no other process can
      // change the replica behind the log's back.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('foreign_keys = ON');
      db.defaultSafeIntegers(this.safeIntegers);
      db.exec(`CREATE TABLE IF NOT EXISTS raft_applied (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  idx INTEGER NOT NULL,
  term INTEGER NOT NULL
)`);
      db.prepare('INSERT OR IGNORE INTO raft_applied (id, idx, term) VALUES (1, 0, 0)').run();
      const row = db.prepare('SELECT idx, term FROM raft_applied WHERE id = 1').safeIntegers(false).get() as { idx: number; term: number };
      this.db = db;
      this.applied = { index: row.idx, term: row.term };
      this.setApplied = db.prepare('UPDATE raft_applied SET idx = ?, term = ? WHERE id = 1');
      this.lastRowid = db.prepare('SELECT last_insert_rowid()').pluck();
      // last_insert_rowid() is the connection's: set to 0 before every entry (by an insert into a
      // table of this connection only), it is after the entry the rowid of the entry's own last
      // insert or 0, the same on every replica.
      db.pragma('temp_store = MEMORY');
      db.exec('CREATE TEMP TABLE IF NOT EXISTS raft_rowid_origin (id INTEGER PRIMARY KEY)');
      const resetRowid = db.prepare('INSERT OR REPLACE INTO temp.raft_rowid_origin (id) VALUES (0)');
      this.txResults = new AppliedTxResults(db);
      this.runEntry = db.transaction((entry: Entry, tx: ReplicatedTx) => {
        const { statements } = tx;
        resetRowid.run();
        let changes = 0;
        let last: RawRows | undefined;
        // The connection's last insert rowid after the last statement, when that one said it.
        let rowidAfter: number | bigint | undefined;
        const results: StatementResult[] = [];
        statements.forEach((st, i) => {
          try {
            const p = this.prepare(st.sql);
            if (p.refused) throw new StatementRefusedError(`${p.refused} is not allowed in a replicated write`);
            const params = bindable(st.params);
            let result: StatementResult;
            let count: number;
            if (p.reader) {
              const rows = p.stmt.raw(true).all(params) as unknown[][];
              last = { columns: p.stmt.columns().map((c) => c.name), rows };
              // ... RETURNING: one row per changed row.
              result = { changes: p.readonly ? 0 : rows.length, columns: last.columns, rows };
              count = rows.length;
              rowidAfter = undefined;
            } else {
              const info = p.stmt.run(params);
              result = { changes: info.changes };
              count = result.changes;
              rowidAfter = info.lastInsertRowid;
            }
            if (st.expect !== undefined && count !== st.expect) throw new ExpectationFailedError(st.expect, count);
            changes += result.changes;
            results.push(result);
          } catch (err) {
            throw new StatementFailure(i, err);
          }
          if (!db.inTransaction) throw new Error(`global db: statement ${i} of entry ${entry.index} ended the apply transaction`);
        });
        const lastInsertRowid = rowidAfter ?? (this.lastRowid.safeIntegers(this.safeIntegers).get() as number | bigint);
        if (tx.id && !this.txResults.record(tx.id, entry.index, tx.at ?? 0, { ok: true, changes, lastInsertRowid, statements: results, rowsKept: true })) {
          throw new AppliedBefore(); // rolls back what the statements did
        }
        if (!this.inBatch) this.setApplied.run(entry.index, entry.term);
        return { changes, results, last, lastInsertRowid };
      });
      // A batch writes the applied index once, for its last entry, in the same transaction.
      this.applyBatch = db.transaction((entries: Entry[]) => {
        this.inBatch = true;
        try {
          const results = entries.map((e) => this.applyOne(e, true));
          const last = entries[entries.length - 1];
          this.setApplied.run(last.index, last.term);
          return results;
        } finally {
          this.inBatch = false;
        }
      });
      this.advanceOnly = db.transaction((entry: Entry, record?: { tx: ReplicatedTx; outcome: RecordedOutcome }): boolean => {
        const fresh = record?.tx.id ? this.txResults.record(record.tx.id, entry.index, record.tx.at ?? 0, record.outcome) : true;
        if (!this.inBatch) this.setApplied.run(entry.index, entry.term);
        return fresh;
      });
    } catch (err) {
      this.db = undefined as unknown as Database.Database;
      db.close();
      throw err;
    }
  }

  /** Index of the last applied entry (0 for a new database). */
  appliedIndex(): number {
    return this.applied.index;
  }

  /** Index and term of the last applied entry: the metadata of a snapshot taken now. */
  appliedState(): AppliedState {
    return { ...this.applied };
  }

  /** The underlying connection, for read-only use by tests and tools. */
  get connection(): Database.Database {
    return this.db;
  }

  private prepare(sql: string): Prepared {
    let p = this.cache.get(sql);
    if (p) {
      this.cache.delete(sql); // move to the most recently used end
    } else {
      const keyword = forbiddenStatementKeyword(sql);
      const stmt = this.db.prepare(sql);
      p = { stmt, reader: stmt.reader, readonly: stmt.readonly, ...(keyword !== undefined ? { refused: keyword } : {}) };
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(sql, p);
    return p;
  }

  /**
   * Applies committed entries in order. Entries at or below the applied index are skipped (so
   * replaying after a restart is harmless); the first one above it must be the next index. Returns
   * one result per entry applied.
   *
   * Several entries are applied in one SQLite transaction, each in a savepoint of its own (one
   * commit for the batch, with the same outcome per entry as one transaction each). Should an
   * entry's statement roll the whole transaction back (ON CONFLICT ROLLBACK, RAISE(ROLLBACK)), the
   * batch is applied again one transaction per entry, which gives that entry its own outcome.
   */
  apply(entries: readonly Entry[]): ApplyResult[] {
    const pending: Entry[] = [];
    let next = this.applied.index + 1;
    for (const entry of entries) {
      if (entry.index < next) continue;
      if (entry.index !== next) throw new Error(`global db: entry ${entry.index} does not follow the applied index ${next - 1}`);
      pending.push(entry);
      next++;
    }
    if (pending.length <= 1) return pending.map((e) => this.applyOne(e, false));
    const start = this.applied;
    try {
      return this.applyBatch(pending);
    } catch (err) {
      this.applied = start;
      if (!(err instanceof BatchTransactionLost)) throw err;
      return pending.map((e) => this.applyOne(e, false));
    }
  }

  /** `inBatch`: inside the transaction of apply()'s batch, which the entry must not end. */
  private applyOne(entry: Entry, inBatch: boolean): ApplyResult {
    if (entry.type !== EntryType.Normal || entry.data.length === 0) {
      // A new leader's no-op or a membership change: nothing for the database.
      this.advanceOnly(entry);
      this.applied = { index: entry.index, term: entry.term };
      return { index: entry.index, ok: true, changes: 0, lastInsertRowid: 0, statements: [] };
    }
    let failure: ApplyError;
    let tx: ReplicatedTx | undefined;
    try {
      tx = decodeTx(entry.data);
      // Optimistically applied: a transaction applied before is found when its outcome cannot be
      // recorded, which rolls its statements back (retries are rare; a lookup first is not free).
      const { changes, results, last, lastInsertRowid } = this.runEntry(entry, tx);
      this.applied = { index: entry.index, term: entry.term };
      return {
        index: entry.index,
        ok: true,
        changes,
        lastInsertRowid,
        statements: results,
        ...(last !== undefined ? { rows: rowObjects(last) } : {}),
      };
    } catch (err) {
      if (err instanceof AppliedBefore) return this.answerRepeat(entry, tx!);
      if (inBatch && !this.db.inTransaction) throw new BatchTransactionLost();
      const cause = err instanceof StatementFailure ? err.inner : err;
      if (!isDeterministicFailure(cause)) throw cause; // not this entry's fault: do not advance
      failure = toApplyError(cause, err instanceof StatementFailure ? err.statement : undefined);
    }
    // The transaction rolled back; record that the entry was applied (as a failure) on its own.
    const fresh = this.advanceOnly(entry, tx?.id ? { tx, outcome: { ok: false, error: failure } } : undefined);
    this.applied = { index: entry.index, term: entry.term };
    if (!fresh) return this.repeated(entry, tx!);
    return { index: entry.index, ok: false, error: failure };
  }

  /** An entry whose transaction was applied before: the applied index moves, nothing else changes. */
  private answerRepeat(entry: Entry, tx: ReplicatedTx): ApplyResult {
    this.advanceOnly(entry);
    this.applied = { index: entry.index, term: entry.term };
    return this.repeated(entry, tx);
  }

  /** The recorded outcome of the transaction `entry` repeats. */
  private repeated(entry: Entry, tx: ReplicatedTx): ApplyResult {
    const prior = this.txResults.lookup(tx.id!);
    if (!prior) throw new Error(`global db: entry ${entry.index} repeats a transaction that has no recorded outcome`);
    return replayed(entry.index, prior.index, prior.outcome);
  }

  /** Runs a read-only statement and returns all its rows. Writes must go through Raft. */
  query<T = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): T[] {
    return this.readStatement(sql).raw(false).all(bindable(params)) as T[];
  }

  /** query(), with the column names and each row as an array in column order. */
  queryRaw(sql: string, params: readonly SqlParam[] = []): RawRows {
    const stmt = this.readStatement(sql);
    const rows = stmt.raw(true).all(bindable(params)) as unknown[][];
    return { columns: stmt.columns().map((c) => c.name), rows };
  }

  /** Throws ReadOnlyQueryError (or SQLite's error) unless `sql` is one read-only statement that returns rows. */
  checkQuery(sql: string): void {
    this.readStatement(sql);
  }

  private readStatement(sql: string): Database.Statement {
    const p = this.prepare(sql);
    if (p.refused || !p.readonly || !p.reader) throw new ReadOnlyQueryError(sql);
    return p.stmt;
  }

  /** CREATE statements of the schema (like sqlite3's `.schema`). */
  schemaSql(): string {
    return schemaSql(this.db);
  }

  /** The whole database as SQL (like sqlite3's `.dump`). */
  dumpSql(): string {
    return dumpSql(this.db);
  }

  /** sha256 of every table's rows in primary-key order, by table name (raft_applied included). */
  tableChecksums(): Record<string, string> {
    return tableChecksums(this.db);
  }

  /** A consistent image of the database at appliedState(). */
  snapshot(): Buffer {
    return this.db.serialize();
  }

  /**
   * Replaces the database with a snapshot image taken at `applied`. The image is checked first
   * (integrity and raft_applied); then it is written to a temporary file and fsynced, the current
   * database is checkpointed and closed, and the temporary file is renamed over it, so that after
   * a crash the file is either the old database or the new one.
   */
  restore(buf: Uint8Array, applied: AppliedState): void {
    checkImage(buf, applied);
    const dir = path.dirname(this.file);
    const tmp = `${this.file}.restore-${process.pid}.tmp`;
    writeFileDurably(tmp, buf);
    try {
      this.close();
      // A WAL left behind would be replayed onto the new file. After a TRUNCATE checkpoint and a
      // clean close there is none; remove any -wal/-shm anyway before the rename.
      fs.rmSync(`${this.file}-wal`, { force: true });
      fs.rmSync(`${this.file}-shm`, { force: true });
      fs.renameSync(tmp, this.file);
      fsyncDir(dir);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      if (!this.db) this.connect();
      throw err;
    }
    this.connect();
    if (this.applied.index !== applied.index || this.applied.term !== applied.term) {
      throw new GlobalStateRestoreError(`restored database has raft_applied ${this.applied.index}/${this.applied.term}, expected ${applied.index}/${applied.term}`);
    }
  }

  /** Checkpoints the WAL into the database file and closes the connection. */
  /**
   * Folds the WAL into the database file and closes the connection. The connection is closed even
   * when the checkpoint fails (a full disk): the WAL then stays, and the next open replays it.
   */
  close(): void {
    if (!this.db) return;
    this.cache.clear();
    const db = this.db;
    this.db = undefined as unknown as Database.Database;
    if (!db.open) return;
    let res: { busy: number } | undefined;
    try {
      [res] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    } finally {
      db.close();
    }
    if (res?.busy) throw new Error('global db: WAL checkpoint was blocked by another connection');
  }
}

/** The result of an entry whose transaction the entry at `firstIndex` applied already. */
function replayed(index: number, firstIndex: number, outcome: RecordedOutcome): ApplyResult {
  if (!outcome.ok) return { index, ok: false, error: outcome.error, duplicateOf: firstIndex };
  const statements: StatementResult[] = outcome.statements.map((st) => (st.columns ? { changes: st.changes, columns: st.columns, rows: st.rows ?? [] } : { changes: st.changes }));
  const last = [...statements].reverse().find((st) => st.columns !== undefined);
  return {
    index,
    ok: true,
    changes: outcome.changes,
    lastInsertRowid: outcome.lastInsertRowid,
    statements,
    duplicateOf: firstIndex,
    ...(last ? { rows: rowObjects({ columns: last.columns!, rows: last.rows ?? [] }) } : {}),
    ...(outcome.rowsKept ? {} : { rowsDropped: true }),
  };
}

/** Rows as objects keyed by column name (a later duplicate column name wins, as better-sqlite3 does). */
export function rowObjects(raw: RawRows): Record<string, unknown>[] {
  return raw.rows.map((row) => {
    const o: Record<string, unknown> = {};
    raw.columns.forEach((c, i) => (o[c] = row[i]));
    return o;
  });
}

/** query() was given a statement that writes or returns no rows. */
export class ReadOnlyQueryError extends TypeError {
  constructor(readonly sql: string) {
    super(`global db: a query must be one read-only statement that returns rows: ${sql}`);
    this.name = 'ReadOnlyQueryError';
  }
}

/** Opens an in-memory copy of a snapshot image and checks it before it replaces anything. */
function checkImage(buf: Uint8Array, applied: AppliedState): void {
  if (buf.length < 100 || Buffer.from(buf.buffer, buf.byteOffset, 16).toString('latin1') !== 'SQLite format 3\0') {
    throw new GlobalStateRestoreError('the snapshot is not an SQLite database image');
  }
  const copy = Buffer.from(buf);
  // An image of a WAL database says so in its header (read/write versions 2); in memory there is
  // no WAL, so mark it as a rollback-journal database for this check.
  copy[18] = 1;
  copy[19] = 1;
  const mem = new Database(copy);
  try {
    const check = mem.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new GlobalStateRestoreError(`the snapshot fails quick_check: ${String(check)}`);
    let row: { idx: number; term: number } | undefined;
    try {
      row = mem.prepare('SELECT idx, term FROM raft_applied WHERE id = 1').get() as typeof row;
    } catch {
      throw new GlobalStateRestoreError('the snapshot has no raft_applied table');
    }
    if (!row || row.idx !== applied.index || row.term !== applied.term) {
      throw new GlobalStateRestoreError(
        `the snapshot's raft_applied is ${row ? `${row.idx}/${row.term}` : 'empty'}, expected ${applied.index}/${applied.term}`,
      );
    }
  } finally {
    mem.close();
  }
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
