/**
 * The edge where commands (ip, bridge, sysctl, nft) are run. Everything else in the library talks
 * to a `CommandRunner`, so tests and the daemon can choose how and where commands run: directly,
 * or inside a named network namespace through `ip netns exec`.
 */
import { spawn } from 'node:child_process';
import { FanCommandError } from './fan-errors';

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandRunner {
  /** Runs a program to completion; a program that cannot be found yields exit code 127. */
  run(command: string, args: readonly string[], input?: string): Promise<CommandResult>;
}

/** The shell convention for "command not found". */
export const COMMAND_NOT_FOUND = 127;

export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export interface ExecCommandRunnerOptions {
  /** A command still running after this long is killed and reported as failed. */
  readonly timeoutMs?: number;
}

/** Runs commands as child processes of this process, with a C locale. */
export class ExecCommandRunner implements CommandRunner {
  private readonly timeoutMs: number;

  constructor(options: ExecCommandRunnerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  run(command: string, args: readonly string[], input?: string): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const line = commandLine(command, args);
      const child = spawn(command, args, { env: { ...process.env, LC_ALL: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.timeoutMs);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on('error', () => {
        // A program that exits without reading its input closes the pipe; its exit status tells.
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err.code === 'ENOENT') {
          resolve({ exitCode: COMMAND_NOT_FOUND, stdout: '', stderr: `${command}: command not found` });
        } else {
          reject(new FanCommandError(`${line}: ${err.message}`, line, -1, ''));
        }
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const err = Buffer.concat(stderr).toString('utf8');
        if (code === null) {
          const why = timedOut ? `killed after the ${this.timeoutMs} ms timeout` : `killed by ${signal ?? 'a signal'}`;
          reject(new FanCommandError(`${line}: ${why}`, line, -1, err));
          return;
        }
        resolve({ exitCode: code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err });
      });
      child.stdin.end(input ?? '');
    });
  }
}

const NETNS_EXEC_NOT_FOUND = /exec of "[^"]*" failed: No such file or directory/;

/** Runs every command inside a named network namespace with `ip netns exec <netns>`. */
export class NetnsCommandRunner implements CommandRunner {
  constructor(
    readonly netns: string,
    private readonly inner: CommandRunner = new ExecCommandRunner(),
  ) {}

  async run(command: string, args: readonly string[], input?: string): Promise<CommandResult> {
    const result = await this.inner.run('ip', ['netns', 'exec', this.netns, command, ...args], input);
    if (result.exitCode !== 0 && NETNS_EXEC_NOT_FOUND.test(result.stderr)) {
      return { ...result, exitCode: COMMAND_NOT_FOUND };
    }
    return result;
  }
}

/** A runner for the given namespace, or for the current one when `netns` is undefined. */
export function commandRunnerFor(netns?: string, inner: CommandRunner = new ExecCommandRunner()): CommandRunner {
  return netns === undefined ? inner : new NetnsCommandRunner(netns, inner);
}

/** The standard output of a finished command; a non-zero exit is a `FanCommandError`. */
export function outputOf(command: string, args: readonly string[], result: CommandResult): string {
  if (result.exitCode !== 0) {
    const line = commandLine(command, args);
    const detail = result.stderr.trim() || result.stdout.trim() || 'no output';
    throw new FanCommandError(`${line} failed with exit code ${result.exitCode}: ${detail}`, line, result.exitCode, result.stderr);
  }
  return result.stdout;
}

/** Runs a command and returns its standard output; a non-zero exit is a `FanCommandError`. */
export async function runChecked(
  runner: CommandRunner,
  command: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  return outputOf(command, args, await runner.run(command, args, input));
}
