import type { Command } from 'commander';
import { pathSegment, withQuery } from '../api-path';
import type { CliContext, Resource } from '../cli-context';
import type { LxdClient } from '../client';
import { configValues } from '../config-values';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { list, toGoJson, toGoYaml } from '../go-shapes';
import { formatShortDate } from '../go-time';
import { rawOf, renderList } from '../list-output';
import { ClusterMember, ClusterMemberPut } from '../lxd-shapes';
import { clusterJoinToken, encodeToken, tokenExpiry, type ClusterJoinToken } from '../lxd-token';
import { RUNNING, type ClusterInfo, type ClusterMemberInfo, type OperationInfo } from '../lxd-types';
import { operationsOf } from './operation';
import { askString } from '../prompts';
import { editAsYaml } from '../yaml-edit';

const NOT_CLUSTERED = "LXD server isn't part of a cluster";
const FORMAT_HELP = 'Format (csv|json|table|yaml|compact)';

const FORCE_REMOVE_WARNING = `Forcefully removing a server from the cluster should only be done as a last
resort.

The removed server will not be functional after this action and will require a
full reset of LXD, losing any remaining instance, image or storage volume
that the server may have held.

When possible, a graceful removal should be preferred, this will require you to
move any affected instance, image or storage volume to another server prior to
the server being cleanly removed from the cluster.

The --force flag should only be used if the server has died, been reinstalled
or is otherwise never expected to come back up.

Are you really sure you want to force removing %s? (yes/no): `;

const EDIT_HELP = `### This is a yaml representation of the cluster member.
### Any line starting with a '# will be ignored.`;

/**
 * `cube cluster …`: lxc's cluster member commands (LXD 5.0.2). `cluster list` has one column more than lxc 5.0.2:
 * DATABASE, after ROLES, from the member's `database` field: YES for the members that hold the replicated database
 * (voters, `database` and `database-leader`, and stand-bys, `database-standby`), NO for spares.
 */
export function registerClusterCommands(program: Command, ctx: CliContext): void {
  const cluster = program.command('cluster').description('Manage cluster members');

  cluster
    .command('list')
    .alias('ls')
    .description('List all the cluster members')
    .argument('[remote]', '[<remote>:]')
    .option('-f, --format <format>', FORMAT_HELP, 'table')
    .action(async (remote: string | undefined, opts: { format: string }) => {
      const { client } = ctx.resource(remote);
      await requireCluster(client);
      const members = await client.get<ClusterMemberInfo[]>('/1.0/cluster/members?recursion=1');
      const rows = (members ?? []).map((m) => [
        m.server_name ?? '',
        m.url ?? '',
        (m.roles ?? []).join(opts.format === 'csv' ? ',' : '\n'),
        m.database ? 'YES' : 'NO',
        m.architecture ?? '',
        m.failure_domain ?? '',
        m.description ?? '',
        (m.status ?? '').toUpperCase(),
        m.message ?? '',
      ]);
      const columns = [
        'NAME',
        'URL',
        'ROLES',
        'DATABASE',
        'ARCHITECTURE',
        'FAILURE DOMAIN',
        'DESCRIPTION',
        'STATE',
        'MESSAGE',
      ];
      ctx.out(renderList(opts.format, columns, rows, rawOf(members ?? [], list(ClusterMember))));
    });

  cluster
    .command('show')
    .description('Show details of a cluster member')
    .argument('<member>', '[<remote>:]<member>')
    .action(async (arg: string) => {
      const { client, name } = ctx.resource(arg);
      const member = await client.get(memberPath(name));
      ctx.out(goYamlDocument(toGoYaml(member, ClusterMember)));
    });

  cluster
    .command('get')
    .description('Get values for cluster member configuration keys')
    .argument('<member>', '[<remote>:]<member>')
    .argument('<key>')
    .action(async (arg: string, key: string) => {
      const { client, name } = ctx.resource(arg);
      const member = await client.get<ClusterMemberInfo>(memberPath(name));
      const config = member?.config ?? {};
      if (!Object.prototype.hasOwnProperty.call(config, key)) {
        throw new CubedError(`The key "${key}" does not exist on cluster member "${name}"`);
      }
      ctx.out(`${config[key]}\n`);
    });

  cluster
    .command('set')
    .description("Set a cluster member's configuration keys")
    .argument('<member>', '[<remote>:]<member>')
    .argument('<config...>', '<key>=<value>... or <key> <value>')
    .action(async (arg: string, config: string[]) => {
      await updateMemberConfig(ctx.resource(arg), await configValues(config, ctx.io.stdin));
    });

  cluster
    .command('unset')
    .description("Unset a cluster member's configuration keys")
    .argument('<member>', '[<remote>:]<member>')
    .argument('<key>')
    .action(async (arg: string, key: string) => {
      await updateMemberConfig(ctx.resource(arg), new Map([[key, '']]));
    });

  cluster
    .command('rename')
    .alias('mv')
    .description('Rename a cluster member')
    .argument('<member>', '[<remote>:]<member>')
    .argument('<new-name>')
    .action(async (arg: string, newName: string) => {
      const { client, name } = ctx.resource(arg);
      await client.perform('POST', memberPath(name), { server_name: newName });
      if (!ctx.quiet) ctx.out(`Member ${name} renamed to ${newName}\n`);
    });

  cluster
    .command('remove')
    .alias('rm')
    .description('Remove a member from the cluster')
    .argument('<member>', '[<remote>:]<member>')
    .option('-f, --force', 'Force removing a member, even if degraded')
    .option('--yes', "Don't require user confirmation for using --force")
    .action(async (arg: string, opts: { force?: boolean; yes?: boolean }) => {
      const { client, name } = ctx.resource(arg);
      if (opts.force && !opts.yes) {
        ctx.out(FORCE_REMOVE_WARNING.replace('%s', name));
        const answer = (await ctx.io.stdin.readLine()) ?? '';
        if (answer.toLowerCase() !== 'yes') throw new CubedError('User aborted delete operation');
      }
      await client.perform('DELETE', opts.force ? withQuery(memberPath(name), { force: '1' }) : memberPath(name));
      if (!ctx.quiet) ctx.out(`Member ${name} removed\n`);
    });

  cluster
    .command('edit')
    .description('Edit cluster member configurations as YAML')
    .argument('<member>', '[<remote>:]<member>')
    .action(async (arg: string) => {
      const { client, name } = ctx.resource(arg);
      if (name === '') throw new CubedError('Missing cluster member name');
      await editAsYaml(ctx, {
        helpTemplate: EDIT_HELP,
        writable: ClusterMemberPut,
        load: async () => {
          const { value, etag } = await client.getWithEtag(memberPath(name));
          return { yaml: toGoYaml(value, ClusterMemberPut), etag };
        },
        save: async (value, etag) => {
          await client.perform('PUT', memberPath(name), value, { etag });
        },
      });
    });

  cluster
    .command('add')
    .description('Request a join token for adding a cluster member')
    .argument('[member]', '[[<remote>:]<member>]')
    .option('--name <name>', 'Cluster member name')
    .action(async (arg: string | undefined, opts: { name?: string }) => {
      const resource = ctx.resource(arg);
      let name = resource.name;
      if (name === '') name = opts.name ?? (await askString(ctx, 'Please provide cluster member name: '));
      const response = await resource.client.query<OperationInfo>('POST', '/1.0/cluster/members', {
        server_name: name,
      });
      let token: ClusterJoinToken;
      try {
        token = clusterJoinToken(response.metadata ?? {});
      } catch (err) {
        throw new CubedError(`Failed converting token operation to join token: ${(err as Error).message}`);
      }
      if (!ctx.quiet) ctx.out(`Member ${name} join token:\n`);
      ctx.out(`${encodeToken(token)}\n`);
    });

  cluster
    .command('list-tokens')
    .description('List all active cluster member join tokens')
    .argument('[remote]', '[<remote>:]')
    .option('-f, --format <format>', FORMAT_HELP, 'table')
    .action(async (remote: string | undefined, opts: { format: string }) => {
      const { client } = ctx.resource(remote);
      await requireCluster(client);
      const tokens = await joinTokens(client);
      const shown = tokens.map(({ token }) => ({
        name: token.server_name,
        token: encodeToken(token),
        expiresAt: formatShortDate(tokenExpiry(token)),
      }));
      const rows = shown.map((t) => [t.name, t.token, t.expiresAt]);
      ctx.out(
        renderList(opts.format, ['NAME', 'TOKEN', 'EXPIRES AT'], rows, {
          json: shown.map((t) => ({ ServerName: t.name, Token: t.token, ExpiresAt: t.expiresAt })),
          yaml: shown.map((t) => ({ servername: t.name, token: t.token, expiresat: t.expiresAt })),
        }),
      );
    });

  cluster
    .command('revoke-token')
    .description('Revoke cluster member join token')
    .argument('<member>', '[<remote>:]<member>')
    .action(async (arg: string) => {
      const { client, name, remote } = ctx.resource(arg);
      await requireCluster(client);
      const found = (await joinTokens(client)).find(({ token }) => token.server_name === name);
      if (!found) throw new CubedError(`No cluster join token for member ${name} on remote: ${remote}`);
      await client.withProject(undefined).perform('DELETE', `/1.0/operations/${pathSegment(found.id)}`);
      if (!ctx.quiet) ctx.out(`Cluster join token for ${remote}:${name} deleted\n`);
    });

  const role = cluster.command('role').description('Manage cluster roles');

  role
    .command('add')
    .description('Add roles to a cluster member')
    .argument('<member>', '[<remote>:]<member>')
    .argument('<roles>', '<role[,role...]>')
    .action(async (arg: string, roles: string) => {
      await updateRoles(ctx.resource(arg), roles, (current, requested, name) => {
        for (const r of requested)
          if (current.includes(r)) throw new CubedError(`Member "${name}" already has role "${r}"`);
        return [...current, ...requested];
      });
    });

  role
    .command('remove')
    .description('Remove roles from a cluster member')
    .argument('<member>', '[<remote>:]<member>')
    .argument('<roles>', '<role[,role...]>')
    .action(async (arg: string, roles: string) => {
      await updateRoles(ctx.resource(arg), roles, (current, requested, name) => {
        for (const r of requested)
          if (!current.includes(r)) throw new CubedError(`Member "${name}" does not have role "${r}"`);
        return current.filter((r) => !requested.includes(r));
      });
    });
}

function memberPath(name: string): string {
  return `/1.0/cluster/members/${pathSegment(name)}`;
}

/** GET /1.0/cluster; the commands about members and tokens refuse a server that is not clustered. */
async function requireCluster(client: LxdClient): Promise<void> {
  const cluster = await client.get<ClusterInfo>('/1.0/cluster');
  if (!cluster?.enabled) throw new CubedError(NOT_CLUSTERED);
}

/** The usable join tokens: Running operations of class token (default project) that describe a join token. */
async function joinTokens(client: LxdClient): Promise<{ id: string; token: ClusterJoinToken }[]> {
  const operations = await operationsOf(client.withProject(undefined));
  const tokens: { id: string; token: ClusterJoinToken }[] = [];
  for (const op of operations) {
    if (op.class !== 'token' || op.status_code !== RUNNING) continue;
    try {
      tokens.push({ id: op.id ?? '', token: clusterJoinToken(op) });
    } catch {
      // another kind of token (a certificate add token)
    }
  }
  return tokens;
}

async function updateMemberConfig({ client, name }: Resource, values: Map<string, string>): Promise<void> {
  const { value, etag } = await client.getWithEtag<ClusterMemberInfo>(memberPath(name));
  const writable = toGoJson(value, ClusterMemberPut) as { config: Record<string, string> | null };
  writable.config = { ...(writable.config ?? {}), ...Object.fromEntries(values) };
  await client.perform('PUT', memberPath(name), writable, { etag });
}

async function updateRoles(
  { client, name }: Resource,
  rolesArg: string,
  change: (current: string[], requested: string[], name: string) => string[],
): Promise<void> {
  if (name === '') throw new CubedError('Missing cluster member name');
  const { value, etag } = await client.getWithEtag<ClusterMemberInfo>(memberPath(name));
  const writable = toGoJson(value, ClusterMemberPut) as { roles: string[] | null };
  const requested = rolesArg.split(',').map((r) => r.trim());
  writable.roles = change(writable.roles ?? [], requested, name);
  await client.perform('PUT', memberPath(name), writable, { etag });
}
