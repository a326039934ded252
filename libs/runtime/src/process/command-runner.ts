/**
 * Every external program the runtime starts goes through a CommandRunner, so that command building can
 * be tested without running anything and every call has a timeout.
 */
import type { Readable, Writable } from 'node:stream';
import { RuntimeError } from '../errors/runtime-error';

export interface RunOptions {
  /** The process is killed (SIGKILL) when it runs longer. */
  timeoutMs: number;
  /** The complete environment of the process (the caller's is not inherited). */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Written to the process's stdin, which is then closed. */
  input?: string | Buffer;
}

export interface ProcessExit {
  /** Exit status, or null when the process was killed by a signal. */
  exitCode: number | null;
  /** The signal that killed the process. */
  signal: NodeJS.Signals | null;
}

export interface CommandResult extends ProcessExit {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface SpawnOptions {
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Kill the process (SIGKILL) after this long; no limit when omitted. */
  timeoutMs?: number;
}

/** A started process with piped stdio. */
export interface SpawnedProcess {
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  kill(signal?: NodeJS.Signals | number): void;
  readonly exit: Promise<ProcessExit>;
}

export interface CommandRunner {
  /** Runs a program to completion and collects its output; never rejects because of the exit status. */
  run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult>;
  /** Starts a program with piped stdio; resolves once it is running. */
  spawn(command: string, args: readonly string[], options: SpawnOptions): Promise<SpawnedProcess>;
}

/** Shell-like rendering of a command line, for messages. */
export function describeCommand(command: string, args: readonly string[]): string {
  const quote = (word: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  return [command, ...args].map(quote).join(' ');
}

/** The last lines of a tool's output, trimmed for an error message. */
export function outputExcerpt(text: string, maxLines = 12): string {
  const lines = text.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
  return lines.slice(-maxLines).join('\n');
}

/** Throws a RuntimeError describing `result` unless the command exited with status 0. */
export function assertSucceeded(result: CommandResult, what: string, command?: string): void {
  if (result.timedOut) {
    throw new RuntimeError('Timeout', `${what}: timed out${command ? ` (${command})` : ''}`, outputExcerpt(result.stderr) || undefined);
  }
  if (result.exitCode !== 0) {
    const status = result.signal ? `killed by ${result.signal}` : `exit status ${result.exitCode}`;
    const output = outputExcerpt(result.stderr) || outputExcerpt(result.stdout);
    throw new RuntimeError('Failed', `${what}: ${status}${command ? ` (${command})` : ''}`, output || undefined);
  }
}
