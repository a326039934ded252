/**
 * `cube sql` and `cubed sql <local|global> <query>`: runs SQL against a running daemon's local or global database
 * through its unix socket (POST /internal/sql), like `lxd sql`. `-` reads the query from standard input; `.dump`
 * and `.schema` print the database (or its schema) as SQL text, and `.checksums` the SHA-256 of every table
 * (equal on replicas that applied the same entries). Results print in the `sql` format by default (render's other
 * formats with --format); a statement that is not a query prints `Rows affected: N`, and a batch of several
 * statements prints each result after a `=> Query i:` header.
 */
import { UnixClient } from './client';
import { renderTable, SQL_FORMATS } from './render';

/** One statement's result in the answer of POST /internal/sql. */
export interface SqlResult {
  type: 'select' | 'exec';
  columns: string[] | null;
  rows: unknown[][] | null;
  rows_affected: number;
}

/** The answer of POST /internal/sql: one result per statement. */
export interface SqlBatch {
  results: SqlResult[];
}

export interface SqlCommandIo {
  stdout(text: string): void;
  readStdin(): Promise<string>;
}

export async function runSqlCommand(
  socketPath: string,
  database: string,
  query: string,
  format: string,
  io: SqlCommandIo,
): Promise<void> {
  if (database !== 'local' && database !== 'global')
    throw new Error(`Invalid database type "${database}": expected "local" or "global"`);
  renderTable(format, [], [], null, SQL_FORMATS); // refuses an unknown format before anything runs
  if (query === '-') query = await io.readStdin();
  const client = new UnixClient(socketPath, 60_000);
  try {
    if (query === '.dump' || query === '.schema' || query === '.checksums') {
      const what = query === '.schema' ? '&schema=1' : query === '.checksums' ? '&checksums=1' : '';
      const dump = await client.get<{ text: string }>(`/internal/sql?database=${database}${what}`);
      io.stdout(dump.text);
      return;
    }
    const batch = await client.request<SqlBatch>('POST', '/internal/sql', { database, query });
    batch.results.forEach((result, i) => {
      if (batch.results.length > 1) io.stdout(`=> Query ${i}:\n\n`);
      io.stdout(renderResult(result, format));
      if (batch.results.length > 1) io.stdout('\n');
    });
  } finally {
    client.close();
  }
}

function renderResult(result: SqlResult, format: string): string {
  if (result.type !== 'select') return `Rows affected: ${result.rows_affected}\n`;
  const columns = result.columns ?? [];
  const rows = (result.rows ?? []).map((row) => row.map(cellText));
  return renderTable(format, columns, rows, result, SQL_FORMATS);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
