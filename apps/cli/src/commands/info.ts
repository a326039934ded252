import type { Command } from 'commander';
import { withQuery } from '../api-path';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { toGoYaml } from '../go-shapes';
import { Server } from '../lxd-shapes';
import type { ServerInfo } from '../lxd-types';
import { resourcesText } from '../server-resources';

/**
 * `cube info [<remote>:] [--resources] [--target <member>]`: the server as `lxc info` shows it, the YAML of
 * GET /1.0, or with --resources the hardware of GET /1.0/resources.
 */
export function registerInfoCommand(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .description('Show server information')
    .argument('[remote]', '[<remote>:]')
    .option('--resources', 'Show the resources available to the server')
    .option('--target <member>', 'Cluster member name')
    .action(async (remote: string | undefined, opts: { resources?: boolean; target?: string }) => {
      const { client, name } = ctx.resource(remote);
      if (name !== '') throw new CubedError(`cube info shows servers only: "${name}" is not "<remote>:"`);
      if (opts.target !== undefined) {
        const server = await client.get<ServerInfo>('/1.0');
        if (server?.environment?.server_clustered !== true) {
          throw new CubedError('To use --target, the destination remote must be a cluster');
        }
      }
      if (opts.resources) {
        ctx.out(resourcesText(await client.get(withQuery('/1.0/resources', { target: opts.target }))));
        return;
      }
      ctx.out(goYamlDocument(toGoYaml(await client.get(withQuery('/1.0', { target: opts.target })), Server)));
    });
}
