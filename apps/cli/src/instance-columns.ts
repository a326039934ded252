import { byteSizeIec } from './byte-size';
import { CubedError } from './cubed-error';
import { formatShortDate, inUtc, parseRfc3339 } from './go-time';
import { ERROR, STOPPED, type InstanceFullInfo } from './lxd-types';

/** A column of `cube list`: its header, its cell of an instance, and what the cell needs to be fetched. */
export interface InstanceColumn {
  name: string;
  data: (instance: InstanceFullInfo) => string;
  needsState: boolean;
  needsSnapshots: boolean;
}

/** The default columns: NAME, STATE, IPV4, IPV6, TYPE, SNAPSHOTS, and LOCATION in a cluster. */
export const DEFAULT_COLUMNS = 'ns46tSL';
/** The default columns with --all-projects (PROJECT first). */
export const DEFAULT_COLUMNS_ALL_PROJECTS = 'ens46tSL';

const column = (name: string, data: InstanceColumn['data'], needsState = false, needsSnapshots = false) => ({
  name,
  data,
  needsState,
  needsSnapshots,
});

/** lxc's IsActive: every status but Stopped and Error. */
export function isActive(instance: InstanceFullInfo): boolean {
  return instance.status_code !== STOPPED && instance.status_code !== ERROR;
}

const SHORTHANDS: Record<string, InstanceColumn> = {
  '4': column('IPV4', (i) => addresses(i, 'inet'), true),
  '6': column('IPV6', (i) => addresses(i, 'inet6'), true),
  a: column('ARCHITECTURE', (i) => i.architecture ?? ''),
  b: column('STORAGE POOL', (i) => {
    const root = Object.values(i.expanded_devices ?? {}).find((d) => d.type === 'disk' && d.path === '/');
    return root?.pool ?? '';
  }),
  c: column('CREATED AT', (i) => utcDate(i.created_at)),
  d: column('DESCRIPTION', (i) => i.description ?? ''),
  D: column('DISK USAGE', diskUsage, true),
  e: column('PROJECT', (i) => i.project ?? ''),
  f: column('BASE IMAGE', (i) => (i.config?.['volatile.base_image'] ?? '').slice(0, 12)),
  F: column('BASE IMAGE', (i) => i.config?.['volatile.base_image'] ?? ''),
  l: column('LAST USED AT', (i) => utcDate(i.last_used_at)),
  m: column(
    'MEMORY USAGE',
    (i) => (isActive(i) && (i.state?.memory?.usage ?? 0) > 0 ? byteSizeIec(i.state!.memory!.usage!, 2) : ''),
    true,
  ),
  M: column('MEMORY USAGE%', memoryPercent, true),
  n: column('NAME', (i) => i.name ?? ''),
  N: column('PROCESSES', (i) => (isActive(i) && i.state ? String(i.state.processes ?? 0) : ''), true),
  p: column('PID', (i) => (isActive(i) && i.state ? String(i.state.pid ?? 0) : ''), true),
  P: column('PROFILES', (i) => (i.profiles ?? []).join('\n')),
  S: column('SNAPSHOTS', (i) => String((i.snapshots ?? []).length), false, true),
  s: column('STATE', (i) => (i.status ?? '').toUpperCase()),
  t: column('TYPE', (i) => {
    const type = (i.type || 'container').toUpperCase();
    return i.ephemeral ? `${type} (EPHEMERAL)` : type;
  }),
  u: column(
    'CPU USAGE',
    (i) =>
      isActive(i) && (i.state?.cpu?.usage ?? 0) > 0 ? `${Math.trunc(i.state!.cpu!.usage! / 1_000_000_000)}s` : '',
    true,
  ),
};

const LOCATION = column('LOCATION', (i) => i.location ?? '');

/** What `-c`, `--fast` and `--all-projects` ask for. */
export interface ColumnChoice {
  columns: string;
  fast?: boolean;
  allProjects?: boolean;
}

/**
 * lxc's parseColumns: shorthand characters (commas between them optional), and entries with a dot that are
 * `[config:|devices:]<key>[:<name>][:<max width>]` columns. L (LOCATION) exists only in a cluster; outside one it
 * is dropped from the default columns and refused in explicit ones.
 */
export function parseColumns(choice: ColumnChoice, clustered: boolean): InstanceColumn[] {
  let spec = choice.columns;
  if (choice.allProjects && spec === DEFAULT_COLUMNS) spec = DEFAULT_COLUMNS_ALL_PROJECTS;
  if (choice.fast) {
    if (spec !== DEFAULT_COLUMNS && spec !== DEFAULT_COLUMNS_ALL_PROJECTS) {
      throw new CubedError("Can't specify --fast with --columns");
    }
    spec = spec === DEFAULT_COLUMNS_ALL_PROJECTS ? 'ensacPt' : 'nsacPt';
  }
  if (!clustered) {
    if (spec !== DEFAULT_COLUMNS && spec !== DEFAULT_COLUMNS_ALL_PROJECTS && spec.includes('L')) {
      throw new CubedError("Can't specify column L when not clustered");
    }
    spec = spec.replace(/L/g, '');
  }
  const columns: InstanceColumn[] = [];
  for (const entry of spec.split(',')) {
    if (entry === '') {
      throw new CubedError(`Empty column entry (redundant, leading or trailing command) in '${spec}'`);
    }
    if (!entry.includes('.')) {
      for (const char of entry) {
        const found = char === 'L' ? LOCATION : SHORTHANDS[char];
        if (!found) throw new CubedError(`Unknown column shorthand char '${char}' in '${entry}'`);
        columns.push(found);
      }
      continue;
    }
    columns.push(keyColumn(entry));
  }
  return columns;
}

/** A `[config:|devices:]<key>[:<name>][:<max width>]` column. */
function keyColumn(entry: string): InstanceColumn {
  let fields = entry.split(':');
  let kind = 'config';
  if ((fields[0] === 'config' || fields[0] === 'devices') && fields.length > 1) {
    kind = fields[0];
    fields = fields.slice(1);
  }
  if (fields.length > 3) throw new CubedError(`Invalid config key column format (too many fields): '${entry}'`);
  const key = fields[0];
  let name = key;
  if (fields.length > 1) {
    if (fields[1] === '' && fields.length !== 3) {
      throw new CubedError(`Invalid name in '${entry}', empty string is only allowed when defining maxWidth`);
    }
    name = fields[1];
  }
  let maxWidth = -1;
  if (fields.length > 2) {
    if (!/^[-+]?\d+$/.test(fields[2])) {
      throw new CubedError(`Invalid max width (must be an integer) '${fields[2]}' in '${entry}'`);
    }
    const width = Number(fields[2]);
    if (width < -1)
      throw new CubedError(`Invalid max width (must -1, 0 or a positive integer) '${fields[2]}' in '${entry}'`);
    maxWidth = width === 0 ? name.length : width;
  }
  const truncate = (value: string) => (maxWidth > 0 && value.length > maxWidth ? value.slice(0, maxWidth) : value);
  if (kind === 'config') {
    return column(name, (i) => truncate(i.config?.[key] ?? i.expanded_config?.[key] ?? ''));
  }
  return column(name, (i) => {
    const parts = key.split('.');
    if (parts.length !== 2) return '';
    const [device, setting] = parts;
    return truncate(i.devices?.[device]?.[setting] ?? i.expanded_devices?.[device]?.[setting] ?? '');
  });
}

/** `<address> (<interface>)` of the family, loopback and link-local ones left out, one a line, in reverse order. */
function addresses(instance: InstanceFullInfo, family: string): string {
  if (!isActive(instance) || !instance.state?.network) return '';
  const found: string[] = [];
  for (const [name, network] of Object.entries(instance.state.network)) {
    if (network.type === 'loopback') continue;
    for (const address of network.addresses ?? []) {
      if (address.scope === 'link' || address.scope === 'local') continue;
      if (address.family === family) found.push(`${address.address ?? ''} (${name})`);
    }
  }
  return found.sort().reverse().join('\n');
}

function diskUsage(instance: InstanceFullInfo): string {
  const roots = Object.entries(instance.expanded_devices ?? {}).filter(
    ([, d]) => d.type === 'disk' && d.path === '/' && (d.source ?? '') === '',
  );
  const root = roots.length === 1 ? roots[0][0] : '';
  const usage = instance.state?.disk?.[root]?.usage ?? 0;
  return usage > 0 ? byteSizeIec(usage, 2) : '';
}

function memoryPercent(instance: InstanceFullInfo): string {
  const usage = instance.state?.memory?.usage ?? 0;
  const limit = instance.expanded_config?.['limits.memory'] ?? '';
  if (!isActive(instance) || usage <= 0 || limit === '' || limit.includes('%')) return '';
  const bytes = parseByteSize(limit);
  return bytes !== undefined && bytes > 0 ? `${((usage / bytes) * 100).toFixed(1)}%` : '';
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  ' bytes': 1,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  EB: 1e18,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
  EiB: 2 ** 60,
};

/** LXD's units.ParseByteSizeString: an integer and a unit (`512MiB`, `2GB`); undefined when it is not one. */
function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)(.*)$/.exec(text);
  if (!match) return undefined;
  const multiplier = BYTE_UNITS[match[2]];
  return multiplier === undefined ? undefined : Number(match[1]) * multiplier;
}

/** A timestamp as `2006/01/02 15:04 UTC`, blank when it is not after the epoch (lxc's shared.TimeIsSet). */
function utcDate(text: string | undefined): string {
  const t = parseRfc3339(text ?? '');
  if (!t || t.epochMs < 1000) return '';
  return formatShortDate(inUtc(t));
}
