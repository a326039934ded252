/**
 * `cubed sql` / POST /internal/sql: runs administrator SQL against the local or the global
 * database and answers in LXD's shape, one result per statement:
 *   { results: [ { type: "select", columns, rows, rows_affected: 0 } | { type: "exec", columns: null, rows: null, rows_affected: N } ] }
 * Against the global database, a batch of queries only is answered with linearizable reads; a
 * batch with any write is one replicated transaction (its queries run inside it, on every member).
 */
import { type GlobalDatabase, type LocalDatabase, splitSqlStatements } from '@app/db';

export interface SqlResult {
  type: 'select' | 'exec';
  columns: string[] | null;
  rows: unknown[][] | null;
  rows_affected: number;
}

export interface SqlBatch {
  results: SqlResult[];
}

/** The request is unusable (no statement, unknown database). */
export class SqlBatchError extends Error {
  readonly statusCode = 400;
}

/** JSON cannot carry blobs or integers beyond 2^53: blobs become base64, big integers text. */
export function jsonCell(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v;
}

const select = (columns: string[], rows: unknown[][]): SqlResult => ({
  type: 'select',
  columns,
  rows: rows.map((r) => r.map(jsonCell)),
  rows_affected: 0,
});
const exec = (changes: number): SqlResult => ({ type: 'exec', columns: null, rows: null, rows_affected: changes });

function statementsOf(query: unknown): string[] {
  if (typeof query !== 'string' || query.trim() === '') throw new SqlBatchError('No query provided');
  const statements = splitSqlStatements(query);
  if (statements.length === 0) throw new SqlBatchError('No query provided');
  return statements;
}

export function runLocalSql(local: LocalDatabase, query: unknown): SqlBatch {
  const statements = statementsOf(query);
  try {
    return { results: local.executeSql(statements).map((r) => (r.columns ? select(r.columns, r.rows ?? []) : exec(r.changes))) };
  } catch (err) {
    throw new SqlBatchError((err as Error).message);
  }
}

export async function runGlobalSql(global: GlobalDatabase, query: unknown): Promise<SqlBatch> {
  const statements = statementsOf(query);
  const readOnly = statements.every((sql) => global.isQuery(sql));
  if (readOnly) {
    const results: SqlResult[] = [];
    for (const sql of statements) {
      const raw = await global.queryRaw(sql);
      results.push(select(raw.columns, raw.rows));
    }
    return { results };
  }
  const r = await global.exec({ statements: statements.map((sql) => ({ sql, params: [] })) });
  return { results: r.statements.map((s) => (s.columns ? select(s.columns, s.rows ?? []) : exec(s.changes))) };
}
