/**
 * Read-only views of a whole SQLite database: its schema (like the sqlite3 shell's `.schema`), a
 * dump (like `.dump`) and per-table checksums used to compare replicas. They work on any
 * better-sqlite3 connection, so a test can check a database loaded from a dump.
 */
import { createHash, type Hash } from 'node:crypto';
import type Database from 'better-sqlite3';

type Db = Database.Database;

interface SchemaRow {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  tbl_name: string;
  sql: string | null;
}

interface ColumnInfo {
  cid: number;
  name: string;
  type: string;
  pk: number;
  hidden: number;
}

interface TableShape {
  name: string;
  /** Stored (non-generated) columns in declaration order. */
  columns: string[];
  /** ORDER BY clause contents. */
  orderBy: string;
  /** Name by which to read the implicit rowid when it is not an alias of a column, else undefined. */
  rowid?: string;
}

/** Quotes an identifier the way SQLite does. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function schemaRows(db: Db): SchemaRow[] {
  // Creation order (rowid of sqlite_schema) keeps every object after the ones it depends on.
  return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid").all() as SchemaRow[];
}

function userTables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
}

function tableShape(db: Db, name: string): TableShape {
  const info = db.prepare(`PRAGMA main.table_xinfo(${quoteIdent(name)})`).all() as ColumnInfo[];
  const list = db.prepare('PRAGMA main.table_list').all() as { name: string; type: string; wr: number }[];
  const withoutRowid = list.find((t) => t.name === name && t.type === 'table')?.wr === 1;
  const stored = info.filter((c) => c.hidden === 0);
  const columns = stored.map((c) => c.name);
  const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  const internal = name.startsWith('sqlite_');
  const rowidAlias = !withoutRowid && pk.length === 1 && pk[0].type.toUpperCase() === 'INTEGER';
  let rowid: string | undefined;
  if (!withoutRowid && !rowidAlias && !internal) {
    const taken = new Set(info.map((c) => c.name.toLowerCase()));
    rowid = ['rowid', '_rowid_', 'oid'].find((r) => !taken.has(r));
  }
  let orderBy: string;
  if (internal) orderBy = columns.map(quoteIdent).join(', '); // sqlite_sequence, sqlite_stat*: by content
  else if (pk.length > 0) orderBy = pk.map((c) => quoteIdent(c.name)).join(', ') + (rowid ? `, ${rowid}` : '');
  else orderBy = rowid ?? columns.map(quoteIdent).join(', ');
  return { name, columns, orderBy, rowid };
}

function selectAll(db: Db, shape: TableShape): Database.Statement {
  const cols = [...(shape.rowid ? [shape.rowid] : []), ...shape.columns.map(quoteIdent)];
  const stmt = db.prepare(`SELECT ${cols.join(', ')} FROM main.${quoteIdent(shape.name)} ORDER BY ${shape.orderBy}`);
  stmt.raw(true);
  stmt.safeIntegers(true); // exact 64-bit integers, and INTEGER (bigint) told apart from REAL (number)
  return stmt;
}

/** CREATE statements of every table, index, view and trigger, in creation order (like `.schema`). */
export function schemaSql(db: Db): string {
  return schemaRows(db)
    .filter((r) => !r.name.startsWith('sqlite_'))
    .map((r) => `${r.sql};\n`)
    .join('');
}

/** An SQL literal for a value read with safeIntegers: loads back as the same value and storage class. */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NULL'; // SQLite stores NaN as NULL
    if (v === Infinity) return '9e999';
    if (v === -Infinity) return '-9e999';
    if (Object.is(v, -0)) return '-0.0';
    const s = String(v); // shortest text that reads back as the same double
    return /[.eE]/.test(s) ? s : `${s}.0`; // keep it REAL where no column affinity would
  }
  if (typeof v === 'string') {
    if (v.includes('\0')) return `CAST(X'${Buffer.from(v, 'utf8').toString('hex')}' AS TEXT)`; // a NUL ends an SQL literal
    return `'${v.replace(/'/g, "''")}'`;
  }
  if (v instanceof Uint8Array) return `X'${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}'`;
  throw new TypeError(`sqlLiteral: unsupported value ${typeof v}`);
}

/**
 * The whole database as SQL, like the sqlite3 shell's `.dump`: table definitions with their rows as
 * INSERT statements (implicit rowids kept), then sqlite_sequence, indexes, triggers and views.
 */
export function dumpSql(db: Db): string {
  const out: string[] = ['PRAGMA foreign_keys=OFF;\n', 'BEGIN TRANSACTION;\n'];
  const rows = schemaRows(db);
  const later: string[] = [];
  let hasSequence = false;
  for (const r of rows) {
    if (r.type === 'table') {
      if (r.name === 'sqlite_sequence') {
        hasSequence = true;
        continue;
      }
      if (r.name.startsWith('sqlite_')) continue;
      out.push(`${r.sql};\n`);
      const shape = tableShape(db, r.name);
      const target = `${quoteIdent(r.name)}(${[...(shape.rowid ? [shape.rowid] : []), ...shape.columns.map(quoteIdent)].join(',')})`;
      for (const row of selectAll(db, shape).iterate() as IterableIterator<unknown[]>) {
        out.push(`INSERT INTO ${target} VALUES(${row.map(sqlLiteral).join(',')});\n`);
      }
    } else if (!r.name.startsWith('sqlite_')) {
      later.push(`${r.sql};\n`);
    }
  }
  if (hasSequence) {
    out.push('DELETE FROM sqlite_sequence;\n');
    for (const [name, seq] of db.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').raw(true).safeIntegers(true).all() as unknown[][]) {
      out.push(`INSERT INTO sqlite_sequence(name,seq) VALUES(${sqlLiteral(name)},${sqlLiteral(seq)});\n`);
    }
  }
  out.push(...later, 'COMMIT;\n');
  return out.join('');
}

function hashValue(h: Hash, v: unknown): void {
  if (v === null) {
    h.update('n');
  } else if (typeof v === 'bigint') {
    h.update(`i${v};`);
  } else if (typeof v === 'number') {
    const b = Buffer.allocUnsafe(9);
    b[0] = 0x72; // 'r'
    b.writeDoubleLE(v, 1);
    h.update(b);
  } else if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    h.update(`s${b.length}:`);
    h.update(b);
  } else if (v instanceof Uint8Array) {
    h.update(`b${v.length}:`);
    h.update(v);
  } else {
    throw new TypeError(`tableChecksums: unexpected value ${typeof v}`);
  }
}

/**
 * sha256 (hex) of every table's rows, in primary-key order (rowid order, with the rowid, for tables
 * that have no INTEGER PRIMARY KEY), with each value's storage class. Includes sqlite_sequence.
 */
export function tableChecksums(db: Db): Record<string, string> {
  const names = userTables(db);
  if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").get()) names.push('sqlite_sequence');
  const out: Record<string, string> = {};
  for (const name of names) {
    const shape = tableShape(db, name);
    const h = createHash('sha256');
    h.update(`${shape.columns.join('\0')}\n`);
    for (const row of selectAll(db, shape).iterate() as IterableIterator<unknown[]>) {
      for (const v of row) hashValue(h, v);
      h.update('\n');
    }
    out[name] = h.digest('hex');
  }
  return out;
}
