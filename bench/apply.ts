/**
 * npm run bench:apply — what applying committed entries to a replica of the global database costs
 * per entry, by how many entries one SQLite transaction applies, in one run on this machine.
 *
 * A fresh global database (the daemon's schema, through its migrations) gets the transaction of
 * `POST /1.0/profiles` (a new profile, with its transaction id and leader time, as the daemon
 * proposes it), entry after entry, applied in batches of 1 (the baseline: one commit per entry,
 * what a replica does when it applies each entry as soon as it is committed) and of each --batches
 * size. Each size gets its own database, warmed by --warmup entries first. Prints one JSON line
 * per batch size, with the microseconds per entry and the ratio to the baseline of the same run.
 *   --entries <n>    measured entries per batch size (default 20000)
 *   --warmup <n>     unmeasured entries before (default 2000)
 *   --batches a,b    batch sizes besides 1 (default 8,16,64)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { type Entry, EntryType } from '@app/raft';
import { encodeTx, GlobalStateMachine, migrationTxs } from '@app/db';
import { newTxId } from '@app/db/global/replicated-tx';
import { nonNegativeOption } from './support/option-number';

const CREATE_PROFILE_SQL = 'INSERT INTO profiles (name, description, project_id) SELECT ?, ?, id FROM projects WHERE name = ?';

function parseOptions(): { entries: number; warmup: number; batches: number[] } {
  const { values } = parseArgs({ options: { entries: { type: 'string' }, warmup: { type: 'string' }, batches: { type: 'string' } }, allowPositionals: false });
  const batches = (values.batches ?? '8,16,64').split(',').map((s) => Math.round(nonNegativeOption('batches', s, 1)));
  if (batches.some((b) => b < 1)) throw new Error('--batches: every size must be at least 1');
  return {
    entries: Math.max(1, Math.round(nonNegativeOption('entries', values.entries, 20_000))),
    warmup: Math.round(nonNegativeOption('warmup', values.warmup, 2000)),
    batches,
  };
}

/** Microseconds per entry for `entries` profile creations applied `batch` at a time. */
function measure(batch: number, entries: number, warmup: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-bench-apply-'));
  const sm = GlobalStateMachine.open(path.join(dir, 'global.db'));
  try {
    let index = 0;
    const at = Date.now();
    const entry = (data: Uint8Array): Entry => ({ index: ++index, term: 1, type: EntryType.Normal, data });
    sm.apply(migrationTxs(0, new Date(at).toISOString()).map((tx) => entry(encodeTx(tx))));
    const profile = (n: number): Entry =>
      entry(encodeTx({ id: newTxId(), at: at + n, statements: [{ sql: CREATE_PROFILE_SQL, params: [`bench-${n}`, '', 'default'], expect: 1 }] }));
    const run = (from: number, count: number): number => {
      const list = Array.from({ length: count }, (_, i) => profile(from + i)); // encoded before the clock starts
      const start = process.hrtime.bigint();
      for (let i = 0; i < list.length; i += batch) {
        for (const r of sm.apply(list.slice(i, i + batch))) if (!r.ok) throw new Error(`entry ${r.index} failed: ${JSON.stringify(r)}`);
      }
      return Number(process.hrtime.bigint() - start) / 1000;
    };
    run(0, warmup);
    return run(warmup, entries) / entries;
  } finally {
    sm.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const opts = parseOptions();
  const baseline = measure(1, opts.entries, opts.warmup);
  const emit = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
  emit({ bench: 'apply', what: 'baseline: one SQLite transaction per entry', batch: 1, entries: opts.entries, us_per_entry: Number(baseline.toFixed(1)) });
  for (const batch of opts.batches) {
    const us = measure(batch, opts.entries, opts.warmup);
    emit({ bench: 'apply', what: `${batch} entries per SQLite transaction`, batch, entries: opts.entries, us_per_entry: Number(us.toFixed(1)), ratio_to_baseline: Number((us / baseline).toFixed(3)) });
  }
}

main();
