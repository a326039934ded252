/**
 * npm run bench:runtime — how long `lxc launch` of a busybox container takes on a 4-member Cubed
 * cluster, measured as LXD 5.0.2's reference figure was (whole `lxc` CLI processes, the image
 * already imported, no NIC, placed by the scheduler); optionally (--vs-lxd) the same against a
 * 4-member LXD 5.0.2 cluster in the same invocation, after Cubed's cluster is gone.
 *
 * 1. A busybox image (deploy/images: libs/runtime's buildBusyboxImage) in a temporary directory,
 *    which also holds the clusters and the client's configuration, all removed at the end, also
 *    after a failure or an interrupt (containers included: bench/support/runtime-clusters.ts).
 * 2. A 4-member Cubed cluster (deploy/local-cluster, as bench:api: its bootstrap preseed makes the
 *    `dir` pool `default` and the default profile's root disk), then, through member 1 with the
 *    real client (LXD_DIR=<member dir> lxc ...): image import, a warm-up launch per member
 *    (reported as first launches, image copied from another member or already there), --launches
 *    timed `lxc launch bb <name>`, `lxc exec <c> -- true` (reported unavailable if it fails),
 *    clean and forced `lxc stop`, and `lxc delete -f` of everything
 *    (bench/support/runtime-measurements.ts).
 * 3. --vs-lxd: the same against LXD (one daemon per network namespace, bench/support/lxd-cluster.ts).
 * Prints one JSON line per measurement (median, p90, min, max, n, the samples) and a summary line:
 * the goal (median launch ≤ 0.3 s and below LXD's in this run) and Cubed/LXD ratios of this run.
 *   --launches <n>  measured launches per cluster (default 10)
 *   --execs <n>     `lxc exec` runs (default 4)
 *   --stops <n>     clean stops, and as many forced stops (default 3)
 *   --no-warmup     no first launch per member before the measured ones
 *   --vs-lxd        also measure LXD 5.0.2 (needs the lxd package and root)
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { withBenchRun } from './support/bench-run';
import { assertBuilt, findRepo, type RepoPaths } from '../deploy/local-cluster/repo-paths';
import type { SystemName } from './support/cluster-under-test';
import { lxdUnavailableReason } from './support/lxd-cluster';
import { buildBenchImage } from './support/runtime-busybox-image';
import { startRuntimeCluster } from './support/runtime-clusters';
import { LXC_BINARY } from './support/runtime-lxc-cli';
import { type BusyboxImageFile, measureRuntime, type RuntimeOptions, type RuntimeResults } from './support/runtime-measurements';
import { runtimeSummary, runtimeSummaryTable } from './support/runtime-summary';
import { TeardownStack } from './support/teardown-stack';

interface Options extends RuntimeOptions {
  vsLxd: boolean;
}

const emit = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
const log = (line: string): void => console.error(`bench:runtime: ${line}`);

function count(name: string, text: string | undefined, fallback: number, min: number): number {
  const v = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not "${text}"`);
  return v;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      launches: { type: 'string' },
      execs: { type: 'string' },
      stops: { type: 'string' },
      'no-warmup': { type: 'boolean' },
      'vs-lxd': { type: 'boolean' },
    },
    allowPositionals: false,
  });
  return {
    launches: count('launches', values.launches, 10, 1),
    execs: count('execs', values.execs, 4, 0),
    stops: count('stops', values.stops, 3, 0),
    warmup: values['no-warmup'] !== true,
    vsLxd: values['vs-lxd'] === true,
  };
}

interface Run {
  repo: RepoPaths;
  root: string;
  image: BusyboxImageFile;
  teardowns: TeardownStack;
  abort: AbortSignal;
  errors: string[];
  /** Makes container names unique to this run (LXC's cgroups are named after them, host-wide). */
  id: string;
}

async function measureSystem(system: SystemName, o: Options, r: Run): Promise<RuntimeResults> {
  log(`starting a 4-member ${system === 'cubed' ? 'Cubed' : 'LXD 5.0.2'} cluster in ${path.join(r.root, system)}`);
  const rc = await startRuntimeCluster(system, { repo: r.repo, root: r.root, clientConfigDir: path.join(r.root, 'lxc-client'), teardowns: r.teardowns, log, abort: r.abort });
  const results = await measureRuntime(rc, r.image, o, `${system}-${r.id}`, { emit, log, abort: r.abort, errors: r.errors });
  log(`${system}: removing the cluster`);
  await rc.finish();
  return results;
}

async function measureLxd(o: Options, r: Run): Promise<RuntimeResults | { skipped: string }> {
  if (!o.vsLxd) return { skipped: 'not requested (run with --vs-lxd)' };
  const unavailable = lxdUnavailableReason();
  if (unavailable) {
    log(`--vs-lxd: ${unavailable}; continuing with Cubed only`);
    return { skipped: unavailable };
  }
  return measureSystem('lxd', o, r);
}

async function main(): Promise<void> {
  const o = parseOptions();
  const repo = findRepo();
  assertBuilt(repo);
  if (!fs.existsSync(LXC_BINARY)) throw new Error(`${LXC_BINARY} is missing: install Debian's lxd-client`);
  if (process.getuid?.() !== 0) throw new Error('containers need root');
  await withBenchRun('cubed-bench-runtime-', log, async ({ root, teardowns, abort }) => {
    const errors: string[] = [];
    const built = await buildBenchImage(root);
    emit({ bench: 'runtime', what: 'image', fingerprint: built.fingerprint, size_bytes: built.sizeBytes, busybox: built.busyboxVersion });
    const run: Run = { repo, root, image: built, teardowns, abort, errors, id: crypto.randomBytes(3).toString('hex') };
    const cubed = await measureSystem('cubed', o, run);
    const lxd = await measureLxd(o, run);
    const summary = { cubed, lxd, errors };
    emit(runtimeSummary(summary));
    for (const line of runtimeSummaryTable(summary)) console.error(line);
  });
}

main().catch((err: unknown) => {
  console.error(`bench:runtime failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
