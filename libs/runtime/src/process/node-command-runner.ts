/**
 * CommandRunner on top of node's child_process.
 */
import { spawn as spawnChild } from 'node:child_process';
import { RuntimeError } from '../errors/runtime-error';
import { CommandResult, CommandRunner, describeCommand, ProcessExit, RunOptions, SpawnedProcess, SpawnOptions } from './command-runner';

/** Output beyond this is dropped (the start of it is kept); no tool the runtime calls prints this much. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export class NodeCommandRunner implements CommandRunner {
  run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawnChild(command, [...args], {
        env: options.env ? { ...options.env } : process.env,
        cwd: options.cwd ?? '/',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let stdoutBytes = 0;
      let stderrBytes = 0;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        if (stdoutBytes < MAX_OUTPUT_BYTES) stdout.push(chunk);
        stdoutBytes += chunk.length;
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderrBytes < MAX_OUTPUT_BYTES) stderr.push(chunk);
        stderrBytes += chunk.length;
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new RuntimeError('Failed', `Cannot run ${describeCommand(command, args)}`, error.message));
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        resolve({
          exitCode,
          signal,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          timedOut,
        });
      });
      child.stdin.on('error', () => {
        // The process may exit without reading its input; its exit status tells what happened.
      });
      child.stdin.end(options.input ?? '');
    });
  }

  spawn(command: string, args: readonly string[], options: SpawnOptions): Promise<SpawnedProcess> {
    return new Promise((resolve, reject) => {
      const child = spawnChild(command, [...args], {
        env: options.env ? { ...options.env } : process.env,
        cwd: options.cwd ?? '/',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let timer: NodeJS.Timeout | undefined;
      const exit = new Promise<ProcessExit>((resolveExit) => {
        child.on('close', (exitCode, signal) => {
          if (timer) clearTimeout(timer);
          resolveExit({ exitCode, signal });
        });
      });
      child.once('error', (error) => {
        if (timer) clearTimeout(timer);
        reject(new RuntimeError('Failed', `Cannot run ${describeCommand(command, args)}`, error.message));
      });
      child.once('spawn', () => {
        if (options.timeoutMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
        resolve({
          pid: child.pid ?? 0,
          stdin: child.stdin,
          stdout: child.stdout,
          stderr: child.stderr,
          kill: (signal) => {
            child.kill(signal ?? 'SIGTERM');
          },
          exit,
        });
      });
    });
  }
}
