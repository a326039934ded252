/**
 * `cubed shutdown`: asks the daemon on the unix socket to stop (PUT /internal/shutdown, which
 * answers with the daemon's pid) and returns once the daemon process has exited, not merely once
 * its socket stops answering: a database leader hands its leadership over and the databases are
 * flushed and closed after the socket is gone.
 */
import * as fs from 'node:fs';
import { LocalApi } from './init/local-api';
import { probe } from './waitready';

export interface ShutdownOptions {
  socketPath: string;
  timeoutMs: number;
  /** How often the process is looked for (default 50 ms). */
  pollMs?: number;
}

/**
 * Whether a process with this pid runs (one that this user may not signal counts; one that has
 * exited and waits for its parent to collect it, a zombie, does not).
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ...", where comm may itself hold spaces and parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc: signals alone decide
  }
}

export async function shutdownDaemon(opts: ShutdownOptions): Promise<void> {
  const api = new LocalApi(opts.socketPath);
  let pid: number | undefined;
  try {
    const answer = await api.call<{ pid?: unknown }>('PUT', '/internal/shutdown');
    if (typeof answer?.pid === 'number' && Number.isSafeInteger(answer.pid) && answer.pid > 0) pid = answer.pid;
  } finally {
    api.close();
  }
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    // A daemon in another pid namespace is invisible here: then its socket says when it is gone.
    const running = pid !== undefined && processExists(pid);
    if (!running && !(await probe(opts.socketPath, 500))) return;
    if (Date.now() >= deadline) {
      const seconds = opts.timeoutMs / 1000;
      throw new Error(
        running
          ? `the daemon (pid ${pid}) is still running ${seconds} s after it was asked to stop`
          : `the daemon at ${opts.socketPath} still answers ${seconds} s after it was asked to stop`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}
