import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { instancePath } from '../instance-paths';
import { InstanceStatePut } from '../lxd-shapes';
import { trackOperation } from '../operation-tracking';
import { addCreateOptions, createInstance, type CreateOptions } from './instance-create';

/**
 * `cube launch [<remote>:]<image> [<remote>:][<name>]`: creates an instance like `cube init`, then starts it
 * (PUT /1.0/instances/<name>/state `{action: start, timeout: -1}`), printing `Starting <name>`.
 */
export function registerLaunchCommand(program: Command, ctx: CliContext): void {
  const launch = program.command('launch').description('Create and start instances from images');
  addCreateOptions(launch).action(async (image: string | undefined, name: string | undefined, opts: CreateOptions) => {
    if (image === undefined) throw new CubedError('Invalid number of arguments');
    const created = await createInstance(ctx, image, name, opts);
    if (!ctx.quiet) ctx.out(`Starting ${created.name}\n`);
    const state = toGoJson({ action: 'start', timeout: -1 }, InstanceStatePut);
    const response = await created.client.query('PUT', `${instancePath(created.name)}/state`, state);
    if (response.type === 'sync') return;
    if (!response.operation) throw new CubedError('the daemon answered with an operation but gave no operation URL');
    try {
      await trackOperation(created.client, response.operation, { progress: ctx.progress(), terminal: ctx.terminal });
    } catch (err) {
      throw new CubedError(
        `${(err as Error).message}\nTry \`cube info --show-log ${created.remote}:${created.name}\` for more info`,
      );
    }
  });
}
