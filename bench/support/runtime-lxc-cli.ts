/**
 * The real LXD client (`lxc`, Debian's lxd-client) as a user runs it against one member: one whole
 * process per command, with LXD_DIR set to the member's state directory (so it talks to
 * <dir>/unix.socket) and LXD_CONF to a client configuration directory of the benchmark's own.
 * Each run is timed wall-clock, from just before the spawn until the process has exited.
 */
import { spawn } from 'node:child_process';
import { nowMs } from './latency';

export const LXC_BINARY = '/usr/bin/lxc';

export interface LxcRun {
  args: string[];
  /** Exit code, or null when the process was ended by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock duration of the whole process. */
  ms: number;
  /** Epoch milliseconds just before the spawn and when it had exited (to compare with the daemon's timestamps). */
  startedAtMs: number;
  endedAtMs: number;
}

export interface LxcRunOptions {
  timeoutMs?: number;
  /** Kills the process when aborted. */
  signal?: AbortSignal;
}

export class LxcCli {
  constructor(
    /** The member's LXD_DIR (Cubed: its CUBED_DIR). */
    readonly memberDir: string,
    readonly configDir: string,
  ) {}

  run(args: string[], o: LxcRunOptions = {}): Promise<LxcRun> {
    o.signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const startedAtMs = Date.now();
      const started = nowMs();
      const child = spawn(LXC_BINARY, args, {
        env: { ...process.env, LXD_DIR: this.memberDir, LXD_CONF: this.configDir },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: o.timeoutMs ?? 120_000,
        signal: o.signal,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', reject);
      child.on('close', (code) => {
        const ms = nowMs() - started;
        if (o.signal?.aborted) return reject(new Error(`lxc ${args.join(' ')}: aborted`));
        resolve({ args, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms, startedAtMs, endedAtMs: Date.now() });
      });
    });
  }

  /** Runs and throws, with its standard error, unless it exits with 0. */
  async must(args: string[], o: LxcRunOptions = {}): Promise<LxcRun> {
    const r = await this.run(args, o);
    if (r.code !== 0) throw new Error(`LXD_DIR=${this.memberDir} lxc ${args.join(' ')} failed (exit ${r.code}): ${lastLine(r.stderr)}`);
    return r;
  }
}

/** The last non-empty line of a command's output (lxc's error message), progress redraws removed. */
export function lastLine(text: string): string {
  const lines = text
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}
