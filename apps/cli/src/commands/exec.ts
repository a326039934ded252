import { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { runExecSession } from '../exec-session';
import { toGoJson } from '../go-shapes';
import { instancePath } from '../instance-paths';
import { InstanceExecPost } from '../lxd-shapes';
import type { OperationInfo } from '../lxd-types';

interface ExecOptions {
  env?: string[];
  mode: string;
  forceInteractive?: boolean;
  forceNoninteractive?: boolean;
  disableStdin?: boolean;
  user?: string;
  group?: string;
  cwd?: string;
}

const repeatable = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * `cube exec [<remote>:]<instance> [flags] [--] <command line>` (lxc exec): POST /1.0/instances/<name>/exec with
 * wait-for-websocket, then the session's websockets (see exec-session). Interactive (a terminal in the instance,
 * standard input in raw mode, window size and signals forwarded) when standard input and output are terminals,
 * or with -t / --mode interactive; otherwise standard input, output and error are piped. `cube` exits with the
 * command's exit code.
 */
export function registerExecCommand(program: Command, ctx: CliContext): void {
  program
    .command('exec')
    .description('Execute commands in instances')
    .argument('<instance>', '[<remote>:]<instance>')
    .argument('<command...>', '<command line>')
    .option('--env <key=value>', 'Environment variable to set (e.g. HOME=/home/foo)', repeatable)
    .option('--mode <mode>', 'Override the terminal mode (auto, interactive or non-interactive)', 'auto')
    .option('-t, --force-interactive', 'Force pseudo-terminal allocation')
    .option('-T, --force-noninteractive', 'Disable pseudo-terminal allocation')
    .option('-n, --disable-stdin', 'Disable stdin (reads from /dev/null)')
    .option('--user <uid>', 'User ID to run the command as (default 0)')
    .option('--group <gid>', 'Group ID to run the command as (default 0)')
    .option('--cwd <directory>', 'Directory to run the command in (default /root)')
    .action(async (arg: string, command: string[], opts: ExecOptions) => {
      if (opts.forceInteractive && opts.forceNoninteractive) {
        throw new CubedError("You can't pass -t and -T at the same time");
      }
      if (opts.mode !== 'auto' && (opts.forceInteractive || opts.forceNoninteractive)) {
        throw new CubedError("You can't pass -t or -T at the same time as --mode");
      }
      const user = parseId(opts.user ?? '0', '--user');
      const group = parseId(opts.group ?? '0', '--group');
      const { client, name } = ctx.resource(arg);

      const environment: Record<string, string> = {};
      if (ctx.io.env.TERM !== undefined) environment.TERM = ctx.io.env.TERM;
      for (const entry of opts.env ?? []) {
        const eq = entry.indexOf('=');
        environment[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1);
      }

      const terminal = ctx.terminal;
      let interactive: boolean;
      if (opts.disableStdin) interactive = false;
      else if (opts.mode === 'interactive' || opts.forceInteractive) interactive = true;
      else if (opts.mode === 'non-interactive' || opts.forceNoninteractive) interactive = false;
      else interactive = terminal.stdinIsTerminal && terminal.stdoutIsTerminal;

      const restoreTerminal = interactive && terminal.stdinIsTerminal ? terminal.makeRaw() : () => undefined;
      try {
        const size = terminal.stdoutIsTerminal ? terminal.size() : undefined;
        const request = {
          command,
          'wait-for-websocket': true,
          interactive,
          environment,
          width: size?.width ?? 0,
          height: size?.height ?? 0,
          user,
          group,
          cwd: opts.cwd ?? '',
        };
        const response = await client.query<OperationInfo>(
          'POST',
          `${instancePath(name)}/exec`,
          toGoJson(request, InstanceExecPost),
        );
        if (response.type !== 'async' || !response.operation) {
          throw new CubedError('the daemon did not answer the exec request with an operation');
        }
        const streams = ctx.streams;
        const op = await runExecSession(client, response.operation, response.metadata ?? {}, {
          interactive,
          stdin: opts.disableStdin ? Readable.from([]) : streams.stdin,
          stdout: streams.stdout,
          stderr: streams.stderr,
          terminal,
        });
        const status = op.metadata?.return;
        if (typeof status === 'number') ctx.exitCode = ((Math.trunc(status) % 256) + 256) % 256;
        if (op.err) throw new CubedError(op.err);
      } finally {
        restoreTerminal();
      }
    });
}

/** A --user or --group value: an unsigned 32-bit integer. */
function parseId(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) {
    throw new CubedError(
      `invalid argument "${value}" for "${flag}" flag: strconv.ParseUint: parsing "${value}": invalid syntax`,
    );
  }
  return Number(value);
}
