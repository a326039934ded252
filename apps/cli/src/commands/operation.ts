import type { Command } from 'commander';
import { pathSegment } from '../api-path';
import type { CliContext } from '../cli-context';
import type { LxdClient } from '../client';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { isObject, list, toGoYaml } from '../go-shapes';
import { formatShortDate, GO_ZERO_TIME, inUtc, parseRfc3339 } from '../go-time';
import { rawOf, renderList } from '../list-output';
import { Operation } from '../lxd-shapes';
import type { OperationInfo, ServerInfo } from '../lxd-types';

/** Every operation of the client's project: GET /1.0/operations?recursion=1 gives them grouped by status. */
export async function operationsOf(client: LxdClient): Promise<OperationInfo[]> {
  const byStatus = await client.get<Record<string, OperationInfo[] | null>>('/1.0/operations?recursion=1');
  if (!isObject(byStatus)) return [];
  return Object.values(byStatus).flatMap((ops) => (Array.isArray(ops) ? ops : []));
}

/** `cube operation …`: lxc's background operation commands. */
export function registerOperationCommands(program: Command, ctx: CliContext): void {
  const operation = program.command('operation').description('List, show and delete background operations');

  operation
    .command('list')
    .alias('ls')
    .description('List background operations')
    .argument('[remote]', '[<remote>:]')
    .option('-f, --format <format>', 'Format (csv|json|table|yaml|compact)', 'table')
    .action(async (remote: string | undefined, opts: { format: string }) => {
      const { client, name } = ctx.resource(remote);
      if (name !== '') throw new CubedError("Filtering isn't supported yet");
      const server = await client.get<ServerInfo>('/1.0');
      const clustered = server?.environment?.server_clustered === true;
      const operations = await operationsOf(client);
      const rows = operations.map((op) => {
        const created = parseRfc3339(op.created_at ?? '') ?? parseRfc3339(GO_ZERO_TIME)!;
        const row = [
          op.id ?? '',
          (op.class ?? '').toUpperCase(),
          op.description ?? '',
          (op.status ?? '').toUpperCase(),
          op.may_cancel ? 'YES' : 'NO',
          formatShortDate(inUtc(created)),
        ];
        return clustered ? [...row, op.location ?? ''] : row;
      });
      const columns = [
        'ID',
        'TYPE',
        'DESCRIPTION',
        'STATUS',
        'CANCELABLE',
        'CREATED',
        ...(clustered ? ['LOCATION'] : []),
      ];
      ctx.out(renderList(opts.format, columns, rows, rawOf(operations, list(Operation))));
    });

  operation
    .command('show')
    .description('Show details on a background operation')
    .argument('<operation>', '[<remote>:]<operation>')
    .action(async (arg: string) => {
      const { client, name } = ctx.resource(arg);
      const op = await client.get(`/1.0/operations/${pathSegment(name)}`);
      ctx.out(goYamlDocument(toGoYaml(op, Operation)));
    });

  operation
    .command('delete')
    .alias('cancel')
    .alias('rm')
    .description('Delete a background operation (will attempt to cancel)')
    .argument('<operation>', '[<remote>:]<operation>')
    .action(async (arg: string) => {
      const { client, name } = ctx.resource(arg);
      await client.request('DELETE', `/1.0/operations/${pathSegment(name)}`);
      if (!ctx.quiet) ctx.out(`Operation ${name} deleted\n`);
    });
}
