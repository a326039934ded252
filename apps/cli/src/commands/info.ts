import type { Command } from 'commander';
import { withQuery } from '../api-path';
import type { CliContext } from '../cli-context';
import type { LxdClient } from '../client';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { toGoYaml } from '../go-shapes';
import { Server } from '../lxd-shapes';
import { instanceInfoText } from '../instance-info';
import { instancePath } from '../instance-paths';
import type { InstanceFullInfo, ServerInfo } from '../lxd-types';
import { resourcesText } from '../server-resources';

/**
 * `cube info [<remote>:] [--resources] [--target <member>]`: the server as `lxc info` shows it, the YAML of
 * GET /1.0, or with --resources the hardware of GET /1.0/resources. `cube info [<remote>:]<instance>
 * [--show-log]`: the instance (GET /1.0/instances/<name>?recursion=1), and with --show-log its `lxc.log`.
 */
export function registerInfoCommand(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .description('Show instance or server information')
    .argument('[remote]', '[<remote>:][<instance>]')
    .option('--resources', 'Show the resources available to the server')
    .option('--show-log', "Show the instance's last 100 log lines?")
    .option('--target <member>', 'Cluster member name')
    .action(async (remote: string | undefined, opts: { resources?: boolean; showLog?: boolean; target?: string }) => {
      const { client, name } = ctx.resource(remote);
      if (name !== '') {
        if (opts.target !== undefined) throw new CubedError('--target cannot be used with instances');
        const instance = (await client.get<InstanceFullInfo>(`${instancePath(name)}?recursion=1`)) ?? {};
        const clustered =
          instance.location !== undefined &&
          instance.location !== '' &&
          (await client.get<ServerInfo>('/1.0'))?.environment?.server_clustered === true;
        ctx.out(instanceInfoText(instance, clustered, ctx.io.env));
        if (opts.showLog) ctx.out(`\nLog:\n\n${await instanceLog(client, name, instance.type || 'container')}\n`);
        return;
      }
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

/** The instance's log: `lxc.log` of a container, `qemu.log` of a virtual machine. */
async function instanceLog(client: LxdClient, name: string, type: string): Promise<string> {
  const file = type === 'container' ? 'lxc.log' : type === 'virtual-machine' ? 'qemu.log' : undefined;
  if (!file) throw new CubedError(`Unsupported instance type: ${type}`);
  const { body } = await client.download(`${instancePath(name)}/logs/${file}`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
