import type { Command } from 'commander';
import type { CliContext, Resource } from '../cli-context';
import { CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { instancePath, snapshotPath, splitSnapshotName } from '../instance-paths';
import { InstanceStatePut } from '../lxd-shapes';
import { STOPPED, type InstanceInfo } from '../lxd-types';

interface DeleteOptions {
  force?: boolean;
  interactive?: boolean;
}

/**
 * `cube delete [<remote>:]<instance>[/<snapshot>]...` (lxc delete): every instance or snapshot is checked to exist
 * first (GET), then deleted in turn (DELETE /1.0/instances/<name>, /1.0/instances/<name>/snapshots/<snapshot>). A
 * running instance needs --force, which stops it first (an ephemeral one is gone once stopped); -i asks before each.
 */
export function registerDeleteCommand(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .alias('rm')
    .description('Delete instances and snapshots')
    .argument('<instances...>', '[<remote>:]<instance>[/<snapshot>] [[<remote>:]<instance>[/<snapshot>]...]')
    .option('-f, --force', 'Force the removal of running instances')
    .option('-i, --interactive', 'Require user confirmation')
    .action(async (args: string[], opts: DeleteOptions) => {
      const resources = args.map((arg) => ctx.resource(arg));
      for (const resource of resources) await checkExists(resource);
      for (const resource of resources) {
        if (opts.interactive) await confirm(ctx, resource.name);
        const { instance, snapshot } = splitSnapshotName(resource.name);
        if (snapshot !== undefined) {
          await resource.client.perform('DELETE', snapshotPath(instance, snapshot));
          continue;
        }
        const current = (await resource.client.get<InstanceInfo>(instancePath(instance))) ?? {};
        if (current.status_code !== undefined && current.status_code !== 0 && current.status_code !== STOPPED) {
          if (!opts.force) throw new CubedError('The instance is currently running, stop it first or pass --force');
          const stop = toGoJson({ action: 'stop', timeout: -1, force: true }, InstanceStatePut);
          try {
            await resource.client.perform('PUT', `${instancePath(instance)}/state`, stop);
          } catch (err) {
            throw new CubedError(`Stopping the instance failed: ${(err as Error).message}`);
          }
          if (current.ephemeral) continue;
        }
        await resource.client.perform('DELETE', instancePath(instance));
      }
    });
}

async function checkExists({ client, remote, name }: Resource): Promise<void> {
  const { instance, snapshot } = splitSnapshotName(name);
  try {
    await client.get(snapshot === undefined ? instancePath(instance) : snapshotPath(instance, snapshot));
  } catch (err) {
    const what = snapshot === undefined ? 'instance' : 'instance snapshot';
    throw new CubedError(`Failed checking ${what} exists "${remote}:${name}": ${(err as Error).message}`);
  }
}

async function confirm(ctx: CliContext, name: string): Promise<void> {
  ctx.out(`Remove ${name} (yes/no): `);
  const answer = (await ctx.io.stdin.readLine()) ?? '';
  if (answer.toLowerCase() !== 'yes') throw new CubedError('User aborted delete operation');
}
