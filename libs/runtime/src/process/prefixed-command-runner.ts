/**
 * Runners that wrap every command in another one (`nsenter ... -- <command>`), e.g. to run all of a
 * driver's tools inside a network namespace.
 */
import { CommandResult, CommandRunner, RunOptions, SpawnedProcess, SpawnOptions } from './command-runner';
import { PtyProcess, PtySpawner, PtySpawnOptions } from './pty-spawner';

export type CommandPrefix = (command: string, args: readonly string[]) => { command: string; args: string[] };

export class PrefixedCommandRunner implements CommandRunner {
  constructor(
    private readonly inner: CommandRunner,
    private readonly prefix: CommandPrefix,
  ) {}

  run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
    const wrapped = this.prefix(command, args);
    return this.inner.run(wrapped.command, wrapped.args, options);
  }

  spawn(command: string, args: readonly string[], options: SpawnOptions): Promise<SpawnedProcess> {
    const wrapped = this.prefix(command, args);
    return this.inner.spawn(wrapped.command, wrapped.args, options);
  }
}

export class PrefixedPtySpawner implements PtySpawner {
  constructor(
    private readonly inner: PtySpawner,
    private readonly prefix: CommandPrefix,
  ) {}

  spawn(command: string, args: readonly string[], options: PtySpawnOptions): Promise<PtyProcess> {
    const wrapped = this.prefix(command, args);
    return this.inner.spawn(wrapped.command, wrapped.args, options);
  }
}
