/**
 * A CommandRunner for tests: records every call and answers from a script instead of running anything.
 */
import { PassThrough } from 'node:stream';
import { CommandResult, CommandRunner, ProcessExit, RunOptions, SpawnedProcess, SpawnOptions } from '../process/command-runner';

export interface RecordedCall {
  command: string;
  args: readonly string[];
  timeoutMs?: number;
  env?: Readonly<Record<string, string>>;
  spawned: boolean;
}

export type Script = (call: RecordedCall) => Partial<CommandResult> | Promise<Partial<CommandResult>>;

export class ScriptedCommandRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly script: Script) {}

  async run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
    const call: RecordedCall = { command, args: [...args], timeoutMs: options.timeoutMs, env: options.env, spawned: false };
    this.calls.push(call);
    return { exitCode: 0, signal: null, stdout: '', stderr: '', timedOut: false, ...(await this.script(call)) };
  }

  async spawn(command: string, args: readonly string[], options: SpawnOptions): Promise<SpawnedProcess> {
    const call: RecordedCall = { command, args: [...args], timeoutMs: options.timeoutMs, env: options.env, spawned: true };
    this.calls.push(call);
    const result = { exitCode: 0, signal: null, stdout: '', stderr: '', ...(await this.script(call)) };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end(result.stdout);
    stderr.end(result.stderr);
    const exit: ProcessExit = { exitCode: result.exitCode, signal: result.signal };
    return { pid: 99999, stdin: new PassThrough(), stdout, stderr, kill: () => undefined, exit: Promise.resolve(exit) };
  }

  /** The calls of one program, as shell-like strings. */
  commandLines(command?: string): string[] {
    return this.calls.filter((call) => command === undefined || call.command === command).map((call) => [call.command, ...call.args].join(' '));
  }
}
