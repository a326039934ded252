/**
 * The physical baseline of a replicated commit on this machine: a local better-sqlite3 database
 * in WAL mode with synchronous=FULL, one durable commit (one fsync) per inserted row, from one
 * writer, as fast as it goes for `durationMs`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { LatencyRecorder, nowMs } from './latency';

export const BENCH_TABLE_SQL = 'CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL)';
export const BENCH_INSERT_SQL = 'INSERT INTO bench (writer, seq, payload) VALUES (?, ?, ?)';
export const PAYLOAD = 'x'.repeat(100);

export function sqliteFullSyncBaseline(durationMs: number, dir = os.tmpdir()): { commits_per_s: number; commits: number; p50_ms: number; p99_ms: number; max_ms: number } {
  const tmp = fs.mkdtempSync(path.join(dir, 'cubed-bench-sqlite-'));
  const db = new Database(path.join(tmp, 'baseline.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(BENCH_TABLE_SQL);
    const insert = db.prepare(BENCH_INSERT_SQL);
    const lat = new LatencyRecorder();
    const start = nowMs();
    let seq = 0;
    while (nowMs() - start < durationMs) {
      const t = nowMs();
      insert.run(0, seq++, PAYLOAD); // autocommit: one transaction, one fsync of the WAL
      lat.add(nowMs() - t);
    }
    const elapsed = nowMs() - start;
    return { commits_per_s: Math.round((lat.count / elapsed) * 1000), commits: lat.count, ...lat.summary() };
  } finally {
    db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
