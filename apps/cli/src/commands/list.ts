import type { Command } from 'commander';
import { withQuery } from '../api-path';
import type { CliContext } from '../cli-context';
import { renderColumns } from '../column-list';
import type { LxdClient } from '../client';
import { CubedError } from '../cubed-error';
import { list } from '../go-shapes';
import { DEFAULT_COLUMNS, isActive, parseColumns } from '../instance-columns';
import {
  INSTANCE_FIELDS,
  INSTANCE_FULL_FIELDS,
  matchesFilters,
  matchesServerFilters,
  serverFilterQuery,
  splitServerFilters,
} from '../instance-filters';
import { instancePath } from '../instance-paths';
import { InstanceFull } from '../lxd-shapes';
import type { InstanceFullInfo, InstanceSnapshotInfo, InstanceStateInfo, ServerInfo } from '../lxd-types';

interface ListOptions {
  columns: string;
  format: string;
  fast?: boolean;
  allProjects?: boolean;
}

/** How many instances' state and snapshots are fetched at once when the server cannot list them with the list. */
const PARALLEL_FETCHES = 10;

/**
 * `cube list [<remote>:] [<filter>...]` (lxc list, LXD 5.0.2): columns chosen with -c (default `ns46tSL`: NAME,
 * STATE, IPV4, IPV6, TYPE, SNAPSHOTS, and LOCATION in a cluster), filters as lxc's (see instance-filters), in
 * table, compact, csv, json or yaml. Instances come with their state and snapshots from GET
 * /1.0/instances?recursion=2 when the columns need them and the server has `container_full`; otherwise from
 * recursion=1, with GET …/state and …/snapshots per instance as the columns need (ipv4 and ipv6 filters need the
 * state too, which lxc 5.0.2 forgets when no column shows it). Filters on fields of the
 * instance go to the server (`filter=`) when it has `api_filtering`, and are applied here the way it would
 * otherwise.
 */
export function registerListCommand(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .alias('ls')
    .description('List instances')
    .argument('[filters...]', '[<remote>:] [<filter>...]')
    .option('-c, --columns <columns>', 'Columns', DEFAULT_COLUMNS)
    .option('-f, --format <format>', 'Format (csv|json|table|yaml|compact)', 'table')
    .option('--fast', 'Fast mode (same as --columns=nsacPt)')
    .option('--all-projects', 'Display instances from all projects')
    .action(async (args: string[], opts: ListOptions) => {
      if (ctx.project !== undefined && opts.allProjects) {
        throw new CubedError("Can't specify --project with --all-projects");
      }
      let remoteArg = '';
      let filters = args;
      if (args.length > 0 && !args[0].includes('=')) {
        if (args[0].includes(':')) {
          remoteArg = args[0];
          filters = args.slice(1);
        }
      }
      const { client, name } = ctx.resource(remoteArg);
      if (name !== '') filters = [...filters, name];

      const server = (await client.get<ServerInfo>('/1.0')) ?? {};
      const extensions = server.api_extensions ?? [];
      const columns = parseColumns(
        { columns: opts.columns, fast: opts.fast, allProjects: opts.allProjects },
        server.environment?.server_clustered === true,
      );
      const filtersNeedState = filters.some((f) => /^ipv[46]=/i.test(f));
      const needsData = filtersNeedState || columns.some((c) => c.needsState || c.needsSnapshots);
      const full = needsData && extensions.includes('container_full');
      const { server: serverFilters, client: clientFilters } = splitServerFilters(
        filters,
        full ? INSTANCE_FULL_FIELDS : INSTANCE_FIELDS,
      );
      const filtering = extensions.includes('api_filtering');
      const path = withQuery('/1.0/instances', {
        recursion: full ? '2' : '1',
        'all-projects': opts.allProjects ? 'true' : undefined,
        filter: filtering && serverFilters.length > 0 ? serverFilterQuery(serverFilters) : undefined,
      });
      let instances = ((await client.get<InstanceFullInfo[]>(path)) ?? []).filter(
        (i) => filtering || matchesServerFilters(serverFilters, i),
      );
      if (!full) {
        instances = instances.filter((i) => matchesFilters(clientFilters, i, undefined, true));
        instances = await withStateAndSnapshots(client, instances, {
          state: filtersNeedState || columns.some((c) => c.needsState),
          snapshots: columns.some((c) => c.needsSnapshots),
          allProjects: opts.allProjects === true,
        });
      }
      const shown = instances.filter((i) => matchesFilters(clientFilters, i, i.state, false));
      ctx.out(renderColumns(opts.format, columns, shown, list(InstanceFull)));
    });
}

/**
 * Adds what the columns (and the ipv4/ipv6 filters) need to instances listed without it: the state of the active
 * ones, the snapshots of all (an instance whose state or snapshots cannot be read is shown without them).
 */
async function withStateAndSnapshots(
  client: LxdClient,
  instances: InstanceFullInfo[],
  needs: { state: boolean; snapshots: boolean; allProjects: boolean },
): Promise<InstanceFullInfo[]> {
  const { state: needsState, snapshots: needsSnapshots, allProjects } = needs;
  if (!needsState && !needsSnapshots) return instances;
  const completed: InstanceFullInfo[] = [];
  let next = 0;
  const worker = async () => {
    while (next < instances.length) {
      const index = next++;
      const instance = instances[index];
      const scoped = allProjects ? client.withProject(instance.project) : client;
      const path = instancePath(instance.name ?? '');
      const [state, snapshots] = await Promise.all([
        needsState && isActive(instance)
          ? scoped.get<InstanceStateInfo>(`${path}/state`).catch(() => null)
          : Promise.resolve(null),
        needsSnapshots
          ? scoped.get<InstanceSnapshotInfo[]>(`${path}/snapshots?recursion=1`).catch(() => null)
          : Promise.resolve(null),
      ]);
      completed[index] = { ...instance, state, snapshots };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FETCHES, instances.length) }, worker));
  return completed;
}
