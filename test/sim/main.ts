/**
 * Command line of the deterministic cluster simulator.
 *
 *   node dist/sim/test/sim/main.js --seeds N [--start S] [--jobs J] [--steps N] [--nodes N] [--lease-reads]
 *   node dist/sim/test/sim/main.js --seed S [--trace] [--steps N] [--nodes N] [--lease-reads]
 *
 * --steps: events in the fault phase; --nodes: founding voters (default 3–5); --lease-reads: turn
 * on RaftConfig.leaseReads; --full-reports: failures printed with their trace (default 5).
 *
 * The last line is always `sim: <passed> passed, <failed> failed`; the exit code is 1 if any
 * seed failed.
 */
import { fork } from 'node:child_process';
import { hex32 } from './fnv';
import { DEFAULT_STEPS, runSeed, type SeedResult } from './run-seed';

interface Args {
  seeds: number;
  start: number;
  seed?: number;
  jobs: number;
  steps: number;
  nodes?: number;
  leaseReads: boolean;
  trace: boolean;
  worker: boolean;
  stride: number;
  offset: number;
  /** Failures printed in full (the others get one line each). */
  fullReports: number;
}

const USAGE = `usage: main.js --seeds N [--start S] [--jobs J] [--steps N] [--nodes N] [--lease-reads] [--full-reports N]
       main.js --seed S [--trace] [--steps N] [--nodes N] [--lease-reads]`;

function parseArgs(argv: string[]): Args {
  const a: Args = { seeds: 1, start: 1, jobs: 1, steps: DEFAULT_STEPS, leaseReads: false, trace: false, worker: false, stride: 1, offset: 0, fullReports: 5 };
  const num = (i: number, name: string): number => {
    const v = Number(argv[i]);
    if (argv[i] === undefined || !Number.isInteger(v) || v < 0) throw new Error(`${name} needs a non-negative integer\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg) {
      case '--seeds':
        a.seeds = num(++i, arg);
        break;
      case '--start':
        a.start = num(++i, arg);
        break;
      case '--seed':
        a.seed = num(++i, arg);
        break;
      case '--jobs':
        a.jobs = Math.max(1, num(++i, arg));
        break;
      case '--steps':
        a.steps = num(++i, arg);
        break;
      case '--nodes':
        a.nodes = num(++i, arg);
        if (a.nodes < 1 || a.nodes > 7) throw new Error('--nodes must be 1..7');
        break;
      case '--full-reports':
        a.fullReports = num(++i, arg);
        break;
      case '--trace':
        a.trace = true;
        break;
      case '--lease-reads':
        a.leaseReads = true;
        break;
      case '--worker':
        a.worker = true;
        break;
      case '--stride':
        a.stride = Math.max(1, num(++i, arg));
        break;
      case '--offset':
        a.offset = num(++i, arg);
        break;
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return a;
}

function replayCommand(seed: number, a: Args): string {
  let cmd = `npm run sim -- --seed ${seed} --trace`;
  if (a.steps !== DEFAULT_STEPS) cmd += ` --steps ${a.steps}`;
  if (a.nodes !== undefined) cmd += ` --nodes ${a.nodes}`;
  if (a.leaseReads) cmd += ' --lease-reads';
  return cmd;
}

function failureReport(r: SeedResult, a: Args, withTrace: boolean): string {
  const lines = [`FAIL seed ${r.seed}: ${r.invariant}`];
  for (const l of (r.details ?? '').split('\n')) lines.push(`  ${l}`);
  if (withTrace && r.traceTail.length > 0) {
    lines.push(`  last ${r.traceTail.length} events:`);
    for (const l of r.traceTail) lines.push(`    ${l}`);
  }
  lines.push(`  replay: ${replayCommand(r.seed, a)}`);
  return lines.join('\n');
}

function fmtCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function runOne(a: Args, seed: number): SeedResult {
  return runSeed({ seed, steps: a.steps, nodes: a.nodes, leaseReads: a.leaseReads });
}

/** Worker: runs its share of the seeds and reports each result to the parent. */
function workerMain(a: Args): void {
  const results: SeedResult[] = [];
  for (let s = a.start + a.offset; s < a.start + a.seeds; s += a.stride) {
    results.push(runOne(a, s));
    if (results.length >= 50) {
      process.send!({ results: results.splice(0) });
    }
  }
  process.send!({ results }, () => process.exit(0));
}

function runInWorkers(a: Args): Promise<SeedResult[]> {
  const all: SeedResult[] = [];
  const workers: Promise<void>[] = [];
  for (let w = 0; w < a.jobs; w++) {
    const args = ['--worker', '--start', String(a.start), '--seeds', String(a.seeds), '--stride', String(a.jobs), '--offset', String(w), '--steps', String(a.steps)];
    if (a.nodes !== undefined) args.push('--nodes', String(a.nodes));
    if (a.leaseReads) args.push('--lease-reads');
    const child = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    workers.push(
      new Promise((resolve) => {
        child.on('message', (m: { results: SeedResult[] }) => all.push(...m.results));
        child.on('exit', () => resolve());
      }),
    );
  }
  return Promise.all(workers).then(() => all);
}

async function seedsMain(a: Args): Promise<number> {
  const t0 = process.hrtime.bigint();
  let results: SeedResult[];
  if (a.jobs > 1 && a.seeds > 1) {
    results = await runInWorkers(a);
  } else {
    results = [];
    for (let s = a.start; s < a.start + a.seeds; s++) results.push(runOne(a, s));
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  results.sort((x, y) => x.seed - y.seed);
  // A seed a crashed worker never reported counts as failed.
  const got = new Set(results.map((r) => r.seed));
  const missing: number[] = [];
  for (let s = a.start; s < a.start + a.seeds; s++) if (!got.has(s)) missing.push(s);

  const failed = results.filter((r) => !r.ok);
  failed.forEach((r, i) => console.log(failureReport(r, a, i < a.fullReports)));
  for (const s of missing) console.log(`FAIL seed ${s}: no result (worker died)\n  replay: ${replayCommand(s, a)}`);

  const sum = (f: (r: SeedResult) => number): number => results.reduce((acc, r) => acc + f(r), 0);
  const passed = results.length - failed.length;
  const nFailed = failed.length + missing.length;
  const slowest = results.reduce((m, r) => Math.max(m, r.stats.convergeMs), 0);
  const byInvariant = new Map<string, number>();
  for (const r of failed) byInvariant.set(r.invariant!, (byInvariant.get(r.invariant!) ?? 0) + 1);
  const inv = [...byInvariant.entries()].map(([k, v]) => `${k}×${v}`).join(' ');
  console.log(
    `sim summary: seeds ${a.start}..${a.start + a.seeds - 1}: ${passed} passed, ${nFailed} failed${inv ? ` (${inv})` : ''} ` +
      `in ${secs.toFixed(1)} s = ${(a.seeds / secs).toFixed(1)} seeds/s with ${a.jobs} job(s); ` +
      `events ${fmtCount(sum((r) => r.stats.events))}, leaders ${fmtCount(sum((r) => r.stats.leaders))}, ` +
      `entries committed ${fmtCount(sum((r) => r.stats.entriesCommitted))}, writes acked ${fmtCount(sum((r) => r.stats.writesAcked))}, ` +
      `writes retried ${fmtCount(sum((r) => r.stats.writesRetried))} (committed repeats ignored ${fmtCount(sum((r) => r.stats.repeatsIgnored))}), ` +
      `reads served ${fmtCount(sum((r) => r.stats.readsServed))}, snapshots installed ${fmtCount(sum((r) => r.stats.snapshotsInstalled))}, ` +
      `conf changes ${fmtCount(sum((r) => r.stats.confChanges))}, crashes ${fmtCount(sum((r) => r.stats.crashes))}, ` +
      `slowest convergence ${(slowest / 1000).toFixed(1)} s virtual`,
  );
  console.log(`sim: ${passed} passed, ${nFailed} failed`);
  return nFailed > 0 ? 1 : 0;
}

function singleMain(a: Args, seed: number): number {
  const buffered: string[] = [];
  const flush = (): void => {
    if (buffered.length) process.stdout.write(buffered.join('\n') + '\n');
    buffered.length = 0;
  };
  const print = a.trace
    ? (line: string): void => {
        buffered.push(line);
        if (buffered.length >= 1000) flush();
      }
    : undefined;
  const t0 = process.hrtime.bigint();
  const r = runSeed({ seed, steps: a.steps, nodes: a.nodes, leaseReads: a.leaseReads, print, hashTrace: true });
  flush();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!r.ok) console.log(failureReport(r, a, !a.trace));
  const s = r.stats;
  console.log(
    `seed ${seed}: ${r.ok ? 'ok' : `FAILED (${r.invariant})`} in ${ms.toFixed(0)} ms; ${s.events} events, ${(s.virtualMs / 1000).toFixed(1)} s virtual, ` +
      `${s.leaders} leaders, ${s.entriesCommitted} entries committed, ${s.writesAcked} writes acked, ${s.readsServed} reads served, ` +
      `${s.snapshotsInstalled} snapshots installed, ${s.confChanges} conf changes, ${s.crashes} crashes, ` +
      `converged in ${s.convergeMs} ms virtual; trace hash ${hex32(r.traceHash)}`,
  );
  console.log(`sim: ${r.ok ? 1 : 0} passed, ${r.ok ? 0 : 1} failed`);
  return r.ok ? 0 : 1;
}

async function main(): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  let a: Args;
  try {
    a = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    console.log('sim: 0 passed, 1 failed');
    process.exit(2);
  }
  if (a.worker) {
    workerMain(a);
    return;
  }
  const code = a.seed !== undefined ? singleMain(a, a.seed) : await seedsMain(a);
  process.exitCode = code;
}

void main();
