/**
 * Replication settings an operator (or a test) may change through the environment:
 *   CUBED_RAFT_TICK_MS             milliseconds per Raft tick (default 50; elections after 10–20 ticks)
 *   CUBED_RAFT_SNAPSHOT_EVERY      applied entries between snapshots (default 8192; 0 = never)
 *   CUBED_RAFT_SNAPSHOT_TRAILING   entries kept in the log behind a snapshot (default 1024)
 *   CUBED_RAFT_APPLY_DELAY_MS      how late a member that does not lead may apply committed entries,
 *                                  to apply them in batches (default 20; 0 = at once)
 *   CUBED_DB_REOPEN_AFTER_MS       first wait before a global database that stopped on an error (a
 *                                  full disk) is opened again (default 5000; doubled each attempt)
 */
import type { ClusterDatabaseOptions } from '@app/db';

function positiveInt(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name}=${raw}: expected an integer >= ${min}`);
  return n;
}

/** CUBED_DB_REOPEN_AFTER_MS, if set. */
export function databaseReopenAfterMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return positiveInt(env, 'CUBED_DB_REOPEN_AFTER_MS', 1);
}

export function databaseTuning(env: NodeJS.ProcessEnv = process.env): NonNullable<ClusterDatabaseOptions['driver']> {
  const tickMs = positiveInt(env, 'CUBED_RAFT_TICK_MS', 1);
  const snapshotEvery = positiveInt(env, 'CUBED_RAFT_SNAPSHOT_EVERY', 0);
  const trailing = positiveInt(env, 'CUBED_RAFT_SNAPSHOT_TRAILING', 0);
  const applyDelayMs = positiveInt(env, 'CUBED_RAFT_APPLY_DELAY_MS', 0);
  return {
    ...(applyDelayMs !== undefined ? { applyDelayMs } : {}),
    ...(tickMs !== undefined ? { tickMs } : {}),
    ...(snapshotEvery !== undefined ? { snapshotEvery } : {}),
    ...(trailing !== undefined ? { raft: { snapshotTrailing: trailing } } : {}),
  };
}
