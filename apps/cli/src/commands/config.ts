import type { Command } from 'commander';
import { withQuery } from '../api-path';
import type { CliContext, Resource } from '../cli-context';
import { configValues } from '../config-values';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { toGoJson, toGoYaml } from '../go-shapes';
import { ServerPut } from '../lxd-shapes';
import type { ServerInfo } from '../lxd-types';
import { registerConfigTrustCommands } from './config-trust';

interface TargetOption {
  target?: string;
}

/** `cube config …`: lxc's server configuration commands (the server's `config` of GET /1.0) and trust store. */
export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('Manage server configuration options');

  config
    .command('show')
    .description('Show server configurations')
    .argument('[remote]', '[<remote>:]')
    .option('--target <member>', 'Cluster member name')
    .action(async (remote: string | undefined, opts: TargetOption) => {
      const resource = serverResource(ctx, remote);
      const server = await getServer(resource, opts.target);
      ctx.out(goYamlDocument(toGoYaml(server.value, ServerPut)));
    });

  config
    .command('get')
    .description('Get values for server configuration keys')
    .argument('<args...>', '[<remote>:] <key>')
    .option('--target <member>', 'Cluster member name')
    .action(async (args: string[], opts: TargetOption) => {
      if (args.length > 2) throw new CubedError('Invalid number of arguments');
      const resource = serverResource(ctx, args.length > 1 ? args[0] : undefined);
      const key = args[args.length - 1];
      const server = await getServer(resource, opts.target);
      ctx.out(`${configText(server.value.config?.[key])}\n`);
    });

  config
    .command('set')
    .description('Set server configuration keys')
    .argument('<args...>', '[<remote>:] <key>=<value>... or <key> <value>')
    .option('--target <member>', 'Cluster member name')
    .action(async (args: string[], opts: TargetOption) => {
      await setServerConfig(ctx, args, opts.target);
    });

  config
    .command('unset')
    .description('Unset server configuration keys')
    .argument('<args...>', '[<remote>:] <key>')
    .option('--target <member>', 'Cluster member name')
    .action(async (args: string[], opts: TargetOption) => {
      if (args.length > 2) throw new CubedError('Invalid number of arguments');
      await setServerConfig(ctx, [...args, ''], opts.target);
    });

  registerConfigTrustCommands(config, ctx);
}

/** A value of the server config as lxc prints it: nothing for a missing key, `true` for a set hidden one. */
function configText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `[<remote>:]` for a server command; a name after the colon would be an instance, which cube does not manage. */
function serverResource(ctx: CliContext, arg: string | undefined): Resource {
  const resource = ctx.resource(arg);
  if (resource.name !== '') {
    throw new CubedError(`cube config manages server configuration only: "${resource.name}" is not "<remote>:"`);
  }
  return resource;
}

async function getServer(
  resource: Resource,
  target: string | undefined,
): Promise<{ value: ServerInfo; etag?: string }> {
  const { value, etag } = await resource.client.getWithEtag<ServerInfo>(withQuery('/1.0', { target }));
  if (target !== undefined && value?.environment?.server_clustered !== true) {
    throw new CubedError('To use --target, the destination remote must be a cluster');
  }
  return { value: value ?? {}, etag };
}

/**
 * lxc's `config set` arguments: only `key=value` pairs, or a first argument that is a config key (it has a dot),
 * or exactly `<key> <value>`, set the default remote's server; otherwise the first argument is the remote. The
 * server's config is read with its ETag and written back whole with PUT /1.0 and If-Match (lxc 5.0.2; a hidden
 * key such as core.trust_password comes back as `true`, which the server takes as unchanged).
 */
async function setServerConfig(ctx: CliContext, args: string[], target: string | undefined): Promise<void> {
  const keyValue = (a: string) => a.includes('=');
  const isConfigKey = (a: string) => (a.split(':').pop() ?? '').includes('.');
  const serverFirst = args.every(keyValue) || isConfigKey(args[0]) || (args.length === 2 && !args.some(keyValue));
  const resource = serverResource(ctx, serverFirst ? undefined : args[0]);
  const values = await configValues(serverFirst ? args : args.slice(1), ctx.io.stdin);
  const { value, etag } = await getServer(resource, target);
  const writable = toGoJson(value, ServerPut) as { config: Record<string, unknown> | null };
  writable.config = { ...(writable.config ?? {}), ...Object.fromEntries(values) };
  await resource.client.perform('PUT', withQuery('/1.0', { target }), writable, { etag });
}
