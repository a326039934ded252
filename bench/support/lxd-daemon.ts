/**
 * One LXD 5.0.2 daemon in a network namespace: started with `ip netns exec <ns> lxd` (ip execs
 * lxd, so the pid is the daemon's) on its own LXD_DIR, initialised with `lxd init --preseed` run
 * in the same namespace (a joining `lxd init` itself connects to the cluster), and stopped with
 * `lxd shutdown`, else SIGKILL.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signal, waitForExit } from '../../deploy/local-cluster/process-control';
import { runCommand } from './run-command';

export const LXD_BINARY = '/usr/bin/lxd';

export interface LxdPlace {
  name: string;
  netns: string;
  /** LXD_DIR */
  dir: string;
  log: string;
}

export function startLxdDaemon(place: LxdPlace): number {
  fs.mkdirSync(place.dir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(place.log), { recursive: true });
  const out = fs.openSync(place.log, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', place.netns, LXD_BINARY], { detached: true, stdio: ['ignore', out, out], env: { ...process.env, LXD_DIR: place.dir } });
    if (child.pid === undefined) throw new Error(`could not start lxd for ${place.name}`);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}

export async function initLxdFromPreseed(place: LxdPlace, preseed: string): Promise<void> {
  await runCommand('ip', ['netns', 'exec', place.netns, LXD_BINARY, 'init', '--preseed'], { env: { ...process.env, LXD_DIR: place.dir }, input: preseed, timeoutMs: 60_000 });
}

/** `lxd shutdown`, then SIGKILL if it is still running after `timeoutMs`; how it stopped. */
export async function stopLxdDaemon(place: LxdPlace, pid: number, timeoutMs = 20_000): Promise<'lxd shutdown' | 'SIGKILL'> {
  await runCommand(LXD_BINARY, ['shutdown', `--timeout=${Math.ceil(timeoutMs / 1000)}`], { env: { ...process.env, LXD_DIR: place.dir }, timeoutMs: timeoutMs + 5000 }).catch(
    () => undefined,
  );
  if (await waitForExit(pid, 5000)) return 'lxd shutdown';
  signal(pid, 'SIGKILL');
  if (await waitForExit(pid, 5000)) return 'SIGKILL';
  throw new Error(`lxd ${place.name} (pid ${pid}) is still alive after SIGKILL`);
}

/** Mount points under `dir` visible here, deepest first (LXD mounts tmpfs on <LXD_DIR>/devlxd and shmounts). */
export function mountsUnder(dir: string): string[] {
  const root = path.resolve(dir);
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && (p === root || p.startsWith(root + path.sep)));
  return mounts.sort((a, b) => b.length - a.length);
}

export async function unmountAll(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await runCommand('umount', ['-l', m], { timeoutMs: 10_000 });
}
