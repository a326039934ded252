/**
 * bench:runtime's measurements on one running cluster, every command a whole `lxc` process
 * against member 1's socket, timed wall-clock:
 * 1. `lxc image import <busybox tarball> --alias bb` (once);
 * 2. unless turned off, one warm-up `lxc launch bb <name> --target <member>` per member, so that
 *    every member has the image afterwards; each is reported as a first launch on that member,
 *    either with the image copied from another member or on a member that already held it;
 * 3. the measured `lxc launch bb <name>`: no --target (the scheduler places them), the image
 *    imported; each with its breakdown from the daemon's operations;
 * 4. `lxc exec <c> -- true` on containers of different members (reported as unavailable, and not
 *    repeated, when the first one fails);
 * 5. clean `lxc stop` (busybox init), then `lxc stop --force` of other containers;
 * 6. `lxc delete -f` of every container, stopped ones and running ones reported apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningMember } from '../../deploy/local-cluster/bring-up';
import { BREAKDOWN_PARTS, type LaunchBreakdown, launchBreakdown } from './runtime-launch-breakdown';
import type { RuntimeCluster } from './runtime-clusters';
import { lastLine, type LxcCli, type LxcRun } from './runtime-lxc-cli';
import { roundSeconds, type SampleSummary, summarize } from './runtime-samples';

export const IMAGE_ALIAS = 'bb';

export interface RuntimeOptions {
  launches: number;
  execs: number;
  stops: number;
  warmup: boolean;
}

export type MeasurementKey = 'image-import' | 'first-launch-copied' | 'first-launch-held' | 'launch' | 'exec' | 'stop' | 'stop-force' | 'delete-stopped' | 'delete-running';

export interface Measurement {
  key: MeasurementKey;
  what: string;
  summary: SampleSummary;
  samples_s: number[];
  /** Why it could not be measured at all. */
  unavailable?: string;
  failures: string[];
  details?: Record<string, unknown>;
}

export type RuntimeResults = Map<MeasurementKey, Measurement>;

export interface BusyboxImageFile {
  path: string;
  fingerprint: string;
}

interface Container {
  name: string;
  location?: string;
  running: boolean;
}

interface Context {
  rc: RuntimeCluster;
  cli: LxcCli;
  via: RunningMember;
  abort: AbortSignal;
  results: RuntimeResults;
  emit: (o: Record<string, unknown>) => void;
  log: (line: string) => void;
  errors: string[];
}

const ofMs = (ms: number): number => roundSeconds(ms / 1000);

function record(c: Context, m: Omit<Measurement, 'summary'>): void {
  const full: Measurement = { ...m, summary: summarize(m.samples_s) };
  c.results.set(m.key, full);
  c.emit({
    bench: 'runtime',
    system: c.rc.system,
    what: full.what,
    via: c.via.name,
    ...full.summary,
    samples_s: full.samples_s,
    ...(full.unavailable ? { unavailable: full.unavailable } : {}),
    ...(full.failures.length ? { failures: full.failures } : {}),
    ...(full.details ?? {}),
  });
}

function failureOf(r: LxcRun): string {
  return `lxc ${r.args.join(' ')}: exit ${r.code} after ${ofMs(r.ms)} s: ${lastLine(r.stderr) || lastLine(r.stdout)}`;
}

async function importImage(c: Context, image: BusyboxImageFile): Promise<void> {
  await c.cli.must(['remote', 'list'], { signal: c.abort, timeoutMs: 30_000 });
  const r = await c.cli.must(['image', 'import', image.path, '--alias', IMAGE_ALIAS], { signal: c.abort, timeoutMs: 120_000 });
  record(c, { key: 'image-import', what: 'lxc image import (busybox tarball)', samples_s: [ofMs(r.ms)], failures: [], details: { fingerprint: image.fingerprint } });
}

/** Launches `name` (its name is registered for the cleanup first); the run, and the container if it exists. */
async function launch(c: Context, name: string, extra: string[]): Promise<{ run: LxcRun; container?: Container }> {
  c.rc.containers.add(name);
  c.rc.names.add(name);
  const run = await c.cli.run(['launch', IMAGE_ALIAS, name, ...extra], { signal: c.abort, timeoutMs: 120_000 });
  return { run, container: run.code === 0 ? { name, running: true } : undefined };
}

async function warmUp(c: Context, image: BusyboxImageFile, prefix: string): Promise<Container[]> {
  const containers: Container[] = [];
  const copied: number[] = [];
  const held: number[] = [];
  const failures: string[] = [];
  const perMember: Record<string, unknown>[] = [];
  for (const [i, member] of c.rc.cluster.members.entries()) {
    const imageBefore = fs.existsSync(path.join(member.dir, 'images', image.fingerprint));
    const { run, container } = await launch(c, `${prefix}-w${i + 1}`, ['--target', member.name]);
    if (!container) {
      failures.push(failureOf(run));
      continue;
    }
    containers.push({ ...container, location: member.name });
    (imageBefore ? held : copied).push(ofMs(run.ms));
    perMember.push({ member: member.name, image_on_member_before: imageBefore, seconds: ofMs(run.ms) });
  }
  const details = { launches: perMember, command: 'lxc launch bb <name> --target <member>, the first container on each member' };
  record(c, { key: 'first-launch-copied', what: 'first launch on a member, image copied from another member', samples_s: copied, failures, details });
  record(c, { key: 'first-launch-held', what: 'first launch on a member that already held the image', samples_s: held, failures: [], details: { members: perMember.filter((p) => p.image_on_member_before).map((p) => p.member) } });
  return containers;
}

function medianBreakdown(all: LaunchBreakdown[]): Record<string, number | null> {
  return Object.fromEntries(BREAKDOWN_PARTS.map((part) => [part, summarize(all.map((b) => b[part])).median_s]));
}

async function measuredLaunches(c: Context, o: RuntimeOptions, prefix: string): Promise<Container[]> {
  const containers: Container[] = [];
  const samples: number[] = [];
  const failures: string[] = [];
  const breakdowns: LaunchBreakdown[] = [];
  const placement: Record<string, number> = {};
  const sockets = c.rc.cluster.members.map((m) => m.socketPath);
  for (let i = 1; i <= o.launches; i++) {
    const { run, container } = await launch(c, `${prefix}-c${i}`, []);
    if (!container) {
      failures.push(failureOf(run));
      c.log(`${c.rc.system}: launch ${i}/${o.launches} failed: ${failureOf(run)}`);
      continue;
    }
    samples.push(ofMs(run.ms));
    const breakdown = await launchBreakdown(sockets, container.name, run);
    if (breakdown) breakdowns.push(breakdown);
    container.location = breakdown?.create_location;
    if (container.location) placement[container.location] = (placement[container.location] ?? 0) + 1;
    containers.push(container);
    c.log(`${c.rc.system}: launch ${i}/${o.launches}: ${ofMs(run.ms).toFixed(3)} s on ${container.location ?? '?'}${breakdown ? ` (${BREAKDOWN_PARTS.map((p) => `${p.replace(/_s$/, '')} ${breakdown[p].toFixed(3)}`).join(', ')})` : ''}`);
  }
  record(c, {
    key: 'launch',
    what: 'lxc launch bb <name> (no --target, image imported)',
    samples_s: samples,
    failures,
    details: {
      placement,
      breakdown_median_s: medianBreakdown(breakdowns),
      breakdown_n: breakdowns.length,
      breakdown_source: "the daemon's create and start operations (created_at, updated_at) against the client process's wall clock",
    },
  });
  return containers;
}

/** Up to `count` containers, taking one per member in turn. */
function spread(containers: Container[], count: number): Container[] {
  const byMember = new Map<string, Container[]>();
  for (const ct of containers) byMember.set(ct.location ?? '?', [...(byMember.get(ct.location ?? '?') ?? []), ct]);
  const picked: Container[] = [];
  while (picked.length < count && [...byMember.values()].some((l) => l.length)) {
    for (const list of byMember.values()) if (list.length && picked.length < count) picked.push(list.shift()!);
  }
  return picked;
}

async function measureExec(c: Context, containers: Container[], count: number): Promise<void> {
  const samples: number[] = [];
  const on: string[] = [];
  let unavailable: string | undefined;
  for (const ct of spread(containers, count)) {
    const r = await c.cli.run(['exec', ct.name, '--', 'true'], { signal: c.abort, timeoutMs: 60_000 });
    if (r.code !== 0) {
      unavailable = `${failureOf(r)} (not repeated)`;
      break;
    }
    samples.push(ofMs(r.ms));
    on.push(ct.location ?? '?');
  }
  if (unavailable) c.log(`${c.rc.system}: exec unavailable: ${unavailable}`);
  record(c, { key: 'exec', what: 'lxc exec <c> -- true', samples_s: samples, failures: [], ...(unavailable ? { unavailable } : {}), details: { on } });
}

async function measureStops(c: Context, containers: Container[], count: number): Promise<void> {
  const running = containers.filter((ct) => ct.running);
  const clean = spread(running, count);
  const forced = spread(
    running.filter((ct) => !clean.includes(ct)),
    count,
  );
  for (const [key, what, targets, flags] of [
    ['stop', 'lxc stop (clean: busybox init shuts down)', clean, []],
    ['stop-force', 'lxc stop --force', forced, ['--force']],
  ] as const) {
    const samples: number[] = [];
    const failures: string[] = [];
    for (const ct of targets) {
      const r = await c.cli.run(['stop', ct.name, ...flags], { signal: c.abort, timeoutMs: 700_000 });
      if (r.code === 0) {
        ct.running = false;
        samples.push(ofMs(r.ms));
      } else failures.push(failureOf(r));
    }
    record(c, { key, what, samples_s: samples, failures, details: { on: targets.map((t) => t.location ?? '?') } });
  }
}

async function deleteAll(c: Context, containers: Container[]): Promise<void> {
  const samples = { stopped: [] as number[], running: [] as number[] };
  const failures = { stopped: [] as string[], running: [] as string[] };
  for (const ct of containers) {
    const state = ct.running ? 'running' : 'stopped';
    const r = await c.cli.run(['delete', '-f', ct.name], { signal: c.abort, timeoutMs: 120_000 });
    if (r.code === 0) {
      c.rc.containers.delete(ct.name);
      samples[state].push(ofMs(r.ms));
    } else failures[state].push(failureOf(r));
  }
  record(c, { key: 'delete-stopped', what: 'lxc delete -f, stopped container', samples_s: samples.stopped, failures: failures.stopped });
  record(c, { key: 'delete-running', what: 'lxc delete -f, running container', samples_s: samples.running, failures: failures.running });
}

/** Containers the cluster still lists that this run created and believes deleted. */
async function leftOver(c: Context, prefix: string): Promise<string[]> {
  const r = await c.cli.must(['list', '--format', 'csv', '-c', 'n'], { signal: c.abort, timeoutMs: 60_000 });
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((n) => n.startsWith(`${prefix}-`) && !c.rc.containers.has(n));
}

export async function measureRuntime(
  rc: RuntimeCluster,
  image: BusyboxImageFile,
  o: RuntimeOptions,
  prefix: string,
  io: { emit: (o: Record<string, unknown>) => void; log: (line: string) => void; abort: AbortSignal; errors: string[] },
): Promise<RuntimeResults> {
  const via = rc.cluster.members[0];
  const c: Context = { rc, cli: rc.cli(via), via, results: new Map(), ...io };
  c.emit({ bench: 'runtime', system: rc.system, what: 'bring-up (start → socket answers; init preseed process)', members: rc.cluster.timings });
  io.log(`${rc.system}: lxc image import`);
  await importImage(c, image);
  const warm = o.warmup ? (io.log(`${rc.system}: a first launch on each member`), await warmUp(c, image, prefix)) : [];
  io.log(`${rc.system}: ${o.launches} measured launches through ${via.name}`);
  const launched = await measuredLaunches(c, o, prefix);
  await measureExec(c, launched, o.execs);
  io.log(`${rc.system}: stops`);
  await measureStops(c, launched, o.stops);
  io.log(`${rc.system}: deleting every container`);
  await deleteAll(c, [...warm, ...launched]);
  const left = await leftOver(c, prefix);
  if (left.length) io.errors.push(`${rc.system}: still listed after lxc delete -f: ${left.join(', ')}`);
  for (const m of c.results.values()) for (const f of m.failures) io.errors.push(`${rc.system} ${m.what}: ${f}`);
  return c.results;
}
