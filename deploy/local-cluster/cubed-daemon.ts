/**
 * One cubed member process: started detached from the caller (its own session, output appended
 * to its log file, so it outlives the script that started it), waited for until its unix socket
 * answers, configured with `cubed init --preseed <file>`, and stopped with `cubed shutdown`,
 * then SIGTERM, then SIGKILL.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { socketPathOf } from './cluster-state';
import { LxdApi } from './lxd-api';
import { logTail } from './log-tail';
import { nowMs, sleep } from './polling';
import { isAlive, signal, waitForExit } from './process-control';
import type { RepoPaths } from './repo-paths';

export interface DaemonPlace {
  name: string;
  /** CUBED_DIR */
  dir: string;
  log: string;
  /** The network namespace the daemon runs in (`ip netns exec`), if not the current one. */
  netns?: string;
}

/** Starts `bin/cubed` on `place.dir`; returns its pid (bin/cubed execs node, so it is the daemon's). */
export function startCubedDaemon(repo: RepoPaths, place: DaemonPlace): number {
  fs.mkdirSync(place.dir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(place.log), { recursive: true });
  const out = fs.openSync(place.log, 'a');
  try {
    // `ip netns exec` and bin/cubed exec their successors, so the pid stays the daemon's.
    const [command, ...args] = place.netns ? ['ip', 'netns', 'exec', place.netns, repo.cubed] : [repo.cubed];
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, CUBED_DIR: place.dir },
    });
    if (child.pid === undefined) throw new Error(`could not start ${repo.cubed} for ${place.name}`);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}

/** Waits until the member's socket answers GET /1.0; fails early, with its log, if the process dies. */
export async function waitUntilAnswering(place: DaemonPlace, pid: number, timeoutMs: number): Promise<void> {
  const api = new LxdApi(socketPathOf(place.dir));
  const deadline = nowMs() + timeoutMs;
  try {
    for (;;) {
      if (!isAlive(pid)) throw new Error(`${place.name} (pid ${pid}) exited before it answered; its log ${place.log}:\n${logTail(place.log)}`);
      try {
        await api.get('/1.0', 1000);
        return;
      } catch (err) {
        if (nowMs() >= deadline)
          throw new Error(
            `${place.name} (pid ${pid}) did not answer on ${api.socketPath} within ${timeoutMs / 1000} s (${(err as Error).message}); its log:\n${logTail(place.log)}`,
          );
      }
      await sleep(20);
    }
  } finally {
    api.close();
  }
}

function runCubed(repo: RepoPaths, cubedDir: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(repo.cubed, args, { env: { ...process.env, CUBED_DIR: cubedDir }, timeout: timeoutMs, signal }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const why = err.killed ? `killed after ${timeoutMs / 1000} s` : `exit ${err.code ?? err.signal}`;
      reject(new Error(`cubed ${args.join(' ')} (CUBED_DIR=${cubedDir}) failed (${why}): ${stderr.trim() || err.message}`));
    });
  });
}

/** `cubed init --preseed <file>` against the member's daemon. */
export function initFromPreseed(repo: RepoPaths, place: DaemonPlace, preseedFile: string, signal?: AbortSignal): Promise<void> {
  return runCubed(repo, place.dir, ['init', '--preseed', preseedFile], 60_000, signal);
}

export type StopMethod = 'cubed shutdown' | 'SIGTERM' | 'SIGKILL' | 'already stopped';

export interface StopOutcome {
  pid: number;
  dir: string;
  method: StopMethod;
  ms: number;
  /** Why the gentler ways did not do it. */
  note?: string;
}

export interface StopTimeouts {
  shutdownMs: number;
  termMs: number;
  killMs: number;
}

export const DEFAULT_STOP_TIMEOUTS: StopTimeouts = { shutdownMs: 15_000, termMs: 5_000, killMs: 5_000 };

/**
 * Stops the daemon `pid` running on `cubedDir`: `cubed shutdown`; SIGTERM if that fails or the
 * process is still there `shutdownMs` after it began; SIGKILL `termMs` after the SIGTERM.
 */
export async function stopCubedDaemon(repo: RepoPaths, pid: number, cubedDir: string, t: StopTimeouts = DEFAULT_STOP_TIMEOUTS): Promise<StopOutcome> {
  const start = nowMs();
  const done = (method: StopMethod, note?: string): StopOutcome => ({ pid, dir: cubedDir, method, ms: Math.round(nowMs() - start), ...(note ? { note } : {}) });
  if (!isAlive(pid)) return done('already stopped');
  let note: string | undefined;
  try {
    await runCubed(repo, cubedDir, ['shutdown', '--timeout', String(t.shutdownMs / 1000)], t.shutdownMs);
  } catch (err) {
    note = (err as Error).message;
  }
  // `cubed shutdown` returns once the socket is closed; the process may still be finishing. When
  // it failed (e.g. a daemon still starting, with no socket yet), SIGTERM follows at once.
  if (note === undefined) {
    if (await waitForExit(pid, Math.max(0, start + t.shutdownMs - nowMs()))) return done('cubed shutdown');
    note = `still running ${t.shutdownMs / 1000} s after cubed shutdown began`;
  }
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, t.termMs)) return done('SIGTERM', note);
  signal(pid, 'SIGKILL');
  if (await waitForExit(pid, t.killMs)) return done('SIGKILL', `${note}; still running ${t.termMs / 1000} s after SIGTERM`);
  throw new Error(`pid ${pid} (CUBED_DIR=${cubedDir}) is still alive ${t.killMs / 1000} s after SIGKILL`);
}
