/**
 * The outcomes of recently applied transactions, by transaction id, kept in the global database
 * itself (table raft_tx_results) so that every replica holds the same records, written in the same
 * SQLite transaction as the entry they describe, and carried by snapshots like any other table.
 *
 * A transaction whose id is already recorded is not applied again: its entry only advances the
 * applied index and answers with the recorded outcome. That makes a write safe to submit again
 * when its first submission's fate is unknown (the leader died after receiving it).
 *
 * Records expire RETENTION_MS after their leader time, measured by the leader time of the entries
 * applied since (so expiry is the same on every replica): long enough for any retry, which happens
 * within the deadline of one write.
 *
 * Outcome encoding (binary-codec.ts): u8 kind (1 applied, 2 failed, 3 applied with its rows not kept)
 *   applied:  varint changes, value lastInsertRowid, varint statement count, per statement:
 *             varint changes, u8 has rows, [varint column count, text columns, varint row count, values]
 *   failed:   text code, text message, varint statement + 1 (0: none)
 */
import type Database from 'better-sqlite3';
import { BinaryReader, BinaryWriter, type SqlValue } from '../codec/binary-codec';

/** How long an applied transaction id is remembered, in leader time. */
export const RETENTION_MS = 10 * 60 * 1000;

/**
 * Expired records are dropped by the entries whose index is a multiple of this (the same entries
 * on every replica), each dropping every record older than the retention.
 */
export const EXPIRE_EVERY = 256;

/** Outcomes larger than this are recorded without the rows their statements returned. */
export const MAX_RECORDED_BYTES = 1 << 20;

/** The UNIQUE constraint is the index that expiry scans, kept inside the table's own definition. */
export const TX_RESULTS_SCHEMA = `CREATE TABLE IF NOT EXISTS raft_tx_results (
  tx_id BLOB PRIMARY KEY,
  idx INTEGER NOT NULL,
  at INTEGER NOT NULL,
  outcome BLOB NOT NULL,
  UNIQUE (at, tx_id)
) WITHOUT ROWID`;

export interface RecordedStatement {
  changes: number;
  columns?: string[];
  rows?: unknown[][];
}

export type RecordedOutcome =
  | { ok: true; changes: number; lastInsertRowid: number | bigint; statements: RecordedStatement[]; rowsKept: boolean }
  | { ok: false; error: { code: string; message: string; statement?: number } };

const APPLIED = 1;
const FAILED = 2;
const APPLIED_ROWS_DROPPED = 3;

export function encodeOutcome(o: RecordedOutcome): Uint8Array {
  if (!o.ok) {
    const w = new BinaryWriter();
    w.u8(FAILED);
    w.text(o.error.code, 'error code');
    w.text(o.error.message, 'error message');
    w.varint(o.error.statement === undefined ? 0 : o.error.statement + 1);
    return w.finish();
  }
  const full = encodeApplied(o, true);
  return full.length <= MAX_RECORDED_BYTES ? full : encodeApplied(o, false);
}

function encodeApplied(o: Extract<RecordedOutcome, { ok: true }>, withRows: boolean): Uint8Array {
  const w = new BinaryWriter();
  w.u8(withRows && o.rowsKept ? APPLIED : APPLIED_ROWS_DROPPED);
  w.varint(o.changes);
  w.value(o.lastInsertRowid, 'last insert rowid');
  w.varint(o.statements.length);
  for (const st of o.statements) {
    w.varint(st.changes);
    const rows = withRows && o.rowsKept && st.columns !== undefined;
    w.u8(rows ? 1 : 0);
    if (!rows) continue;
    w.varint(st.columns!.length);
    for (const c of st.columns!) w.text(c, 'column name');
    const list = st.rows ?? [];
    w.varint(list.length);
    for (const row of list) for (const cell of row) w.value(cell as SqlValue, 'returned value');
  }
  return w.finish();
}

export function decodeOutcome(buf: Uint8Array): RecordedOutcome {
  const r = new BinaryReader(buf);
  const kind = r.u8();
  if (kind === FAILED) {
    const code = r.text();
    const message = r.text();
    const statement = r.varint();
    return { ok: false, error: { code, message, ...(statement > 0 ? { statement: statement - 1 } : {}) } };
  }
  if (kind !== APPLIED && kind !== APPLIED_ROWS_DROPPED) throw new Error(`raft_tx_results: unknown outcome kind ${kind}`);
  const changes = r.varint();
  const rowid = r.value('last insert rowid');
  const count = r.varint();
  const statements: RecordedStatement[] = [];
  for (let i = 0; i < count; i++) {
    const stChanges = r.varint();
    if (r.u8() === 0) {
      statements.push({ changes: stChanges });
      continue;
    }
    const columns: string[] = [];
    for (let c = r.varint(); c > 0; c--) columns.push(r.text());
    const rows: unknown[][] = [];
    for (let n = r.varint(); n > 0; n--) rows.push(columns.map(() => r.value('returned value')));
    statements.push({ changes: stChanges, columns, rows });
  }
  return { ok: true, changes, lastInsertRowid: typeof rowid === 'number' || typeof rowid === 'bigint' ? rowid : 0, statements, rowsKept: kind === APPLIED };
}

/** The prepared statements over raft_tx_results of one connection. */
export class AppliedTxResults {
  private readonly find: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly expire: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(TX_RESULTS_SCHEMA);
    this.find = db.prepare('SELECT idx, outcome FROM raft_tx_results WHERE tx_id = ?').safeIntegers(false);
    this.insert = db.prepare('INSERT INTO raft_tx_results (tx_id, idx, at, outcome) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.expire = db.prepare('DELETE FROM raft_tx_results WHERE at < ?');
  }

  /** The recorded outcome of transaction `id`, with the index of the entry that applied it. */
  lookup(id: Uint8Array): { index: number; outcome: RecordedOutcome } | undefined {
    const row = this.find.get(id) as { idx: number; outcome: Uint8Array } | undefined;
    return row ? { index: row.idx, outcome: decodeOutcome(row.outcome) } : undefined;
  }

  /**
   * Records the outcome of transaction `id`, applied at `index` with leader time `at` (and, every
   * EXPIRE_EVERY entries, drops expired records). False, recording nothing, when `id` is recorded
   * already: the transaction was applied before, and lookup() tells how it went.
   */
  record(id: Uint8Array, index: number, at: number, outcome: RecordedOutcome): boolean {
    if (index % EXPIRE_EVERY === 0) this.expire.run(at - RETENTION_MS);
    return this.insert.run(id, index, at, encodeOutcome(outcome)).changes > 0;
  }
}
