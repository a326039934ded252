import { Command, CommanderError } from 'commander';
import { CliContext, type GlobalOptions } from './cli-context';
import { packageVersion } from './version';
import { registerClusterCommands } from './commands/cluster';
import { registerConfigCommands } from './commands/config';
import { registerDeleteCommand } from './commands/delete';
import { registerExecCommand } from './commands/exec';
import { registerFileCommands } from './commands/file';
import { registerImageCommands } from './commands/image';
import { registerInfoCommand } from './commands/info';
import { registerInitCommand } from './commands/init';
import { registerInstanceStateCommands } from './commands/instance-state';
import { registerLaunchCommand } from './commands/launch';
import { registerListCommand } from './commands/list';
import { registerMonitorCommand } from './commands/monitor';
import { registerOperationCommands } from './commands/operation';
import { registerProfileCommands } from './commands/profile';
import { registerRemoteCommands } from './commands/remote';
import { registerRestoreCommand } from './commands/restore';
import { registerSnapshotCommand } from './commands/snapshot';
import { registerSqlCommand } from './commands/sql';
import { registerVersionCommand } from './commands/version';
import type { Io } from './io';

export type { InputSource, Io, TextEditor } from './io';
export { DEFAULT_STATE_DIR, socketPathFor } from './local-socket';

/**
 * Runs the `cube` CLI with user arguments (no node/script prefix); resolves to the exit code (for exec, the
 * command's). Errors print as `Error: <message>` on stderr with exit code 1, as lxc does; usage errors print
 * commander's message.
 */
export async function run(args: string[], io: Io): Promise<number> {
  const program = new Command('cube')
    .description('Command-line client for the Cubed daemon')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false)
    .version(packageVersion(), '--version', 'Print the client version')
    .option('--project <name>', 'Override the source project')
    .option('-q, --quiet', "Don't show progress information");
  const ctx = new CliContext(io, () => program.opts<GlobalOptions>());

  registerVersionCommand(program, ctx);
  registerInfoCommand(program, ctx);
  registerLaunchCommand(program, ctx);
  registerInitCommand(program, ctx);
  registerListCommand(program, ctx);
  registerInstanceStateCommands(program, ctx);
  registerDeleteCommand(program, ctx);
  registerExecCommand(program, ctx);
  registerFileCommands(program, ctx);
  registerSnapshotCommand(program, ctx);
  registerRestoreCommand(program, ctx);
  registerImageCommands(program, ctx);
  registerClusterCommands(program, ctx);
  registerConfigCommands(program, ctx);
  registerRemoteCommands(program, ctx);
  registerProfileCommands(program, ctx);
  registerOperationCommands(program, ctx);
  registerMonitorCommand(program, ctx);
  registerSqlCommand(program, ctx);

  try {
    await program.parseAsync(args, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed its message
    io.stderr(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return ctx.exitCode !== 0 ? ctx.exitCode : 1;
  } finally {
    ctx.close();
  }
}
