import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { toGoJson } from '../go-shapes';
import { instancePath } from '../instance-paths';
import { InstancePut } from '../lxd-shapes';

/**
 * `cube restore [<remote>:]<instance> <snapshot>` (lxc restore): PUT /1.0/instances/<name> with
 * `restore: <instance>/<snapshot>` (and `stateful`), the rest of the instance left empty as lxc sends it.
 */
export function registerRestoreCommand(program: Command, ctx: CliContext): void {
  program
    .command('restore')
    .description('Restore instances from snapshots')
    .argument('<instance>', '[<remote>:]<instance>')
    .argument('<snapshot>', '<snapshot>')
    .option('--stateful', "Whether or not to restore the instance's running state from snapshot (if available)")
    .action(async (arg: string, snapshot: string, opts: { stateful?: boolean }) => {
      const { client, name } = ctx.resource(arg);
      const restore = snapshot.includes('/') ? snapshot : `${name}/${snapshot}`;
      await client.perform(
        'PUT',
        instancePath(name),
        toGoJson({ restore, stateful: opts.stateful === true }, InstancePut),
      );
    });
}
