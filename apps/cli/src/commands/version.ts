import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { packageVersion } from '../version';

/** `cube version`: the client version. */
export function registerVersionCommand(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description('Print the client version')
    .action(() => ctx.out(`${packageVersion()}\n`));
}
