import type { Command } from 'commander';
import { withQuery } from '../api-path';
import type { CliContext } from '../cli-context';
import { type ListColumn, renderColumns } from '../column-list';
import { CubedError } from '../cubed-error';
import { goValue } from '../go-format';
import { list, toGoJson } from '../go-shapes';
import { formatLongDate, GO_ZERO_TIME, inUtc, parseRfc3339 } from '../go-time';
import { dotPrefixMatch, serverFilterQuery, splitServerFilters } from '../instance-filters';
import { Image } from '../lxd-shapes';
import type { ImageInfo, ServerInfo } from '../lxd-types';

/** The fields of api.Image the server can filter on. */
const IMAGE_FIELDS = [
  'auto_update',
  'properties',
  'public',
  'expires_at',
  'profiles',
  'aliases',
  'architecture',
  'cached',
  'filename',
  'fingerprint',
  'size',
  'type',
  'created_at',
  'last_used_at',
  'uploaded_at',
];

type ImageColumn = ListColumn<ImageInfo>;

const COLUMNS: Record<string, ImageColumn> = {
  l: { name: 'ALIAS', data: aliasColumn },
  L: {
    name: 'ALIASES',
    data: (i) =>
      (i.aliases ?? [])
        .map((a) => a.name ?? '')
        .sort()
        .join('\n'),
  },
  f: { name: 'FINGERPRINT', data: (i) => (i.fingerprint ?? '').slice(0, 12) },
  F: { name: 'FINGERPRINT', data: (i) => i.fingerprint ?? '' },
  p: { name: 'PUBLIC', data: (i) => (i.public ? 'yes' : 'no') },
  d: { name: 'DESCRIPTION', data: (i) => i.properties?.description ?? '' },
  a: { name: 'ARCHITECTURE', data: (i) => i.architecture ?? '' },
  s: { name: 'SIZE', data: (i) => `${((i.size ?? 0) / 1024 / 1024).toFixed(2)}MB` },
  u: {
    name: 'UPLOAD DATE',
    data: (i) => formatLongDate(inUtc(parseRfc3339(i.uploaded_at ?? '') ?? parseRfc3339(GO_ZERO_TIME)!)),
  },
  t: { name: 'TYPE', data: (i) => (i.type ? i.type.toUpperCase() : 'CONTAINER') },
};

/**
 * `cube image list [<remote>:] [<filter>...]` (lxc image list): GET /1.0/images?recursion=1, filters of the
 * image's fields sent to a server with `api_filtering`, the others (and all of them for a server without it)
 * applied here: `key=value` on a property (parts abbreviable, the value a regular expression) or a field, a word
 * found in an alias or the fingerprint.
 */
export function registerImageListCommand(image: Command, ctx: CliContext): void {
  image
    .command('list')
    .alias('ls')
    .description('List images')
    .argument('[filters...]', '[<remote>:] [<filter>...]')
    .option('-c, --columns <columns>', 'Columns', 'lfpdatsu')
    .option('-f, --format <format>', 'Format (csv|json|table|yaml|compact)', 'table')
    .action(async (args: string[], opts: { columns: string; format: string }) => {
      const { client, name } = ctx.resource(args[0] ?? '');
      const filters = [...(name !== '' ? [name] : []), ...args.slice(1)];
      const columns = parseImageColumns(opts.columns);
      const server = (await client.get<ServerInfo>('/1.0')) ?? {};
      let { server: serverFilters, client: clientFilters } = splitServerFilters(filters, IMAGE_FIELDS);
      if (!(server.api_extensions ?? []).includes('api_filtering')) {
        serverFilters = [];
        clientFilters = filters;
      }
      const path = withQuery('/1.0/images', {
        recursion: '1',
        filter: serverFilters.length > 0 ? serverFilterQuery(serverFilters) : undefined,
      });
      const images = ((await client.get<ImageInfo[]>(path)) ?? []).filter((i) => imageMatches(clientFilters, i));
      ctx.out(renderColumns(opts.format, columns, images, list(Image)));
    });
}

function parseImageColumns(spec: string): ImageColumn[] {
  const columns: ImageColumn[] = [];
  for (const entry of spec.split(',')) {
    if (entry === '') throw new CubedError(`Empty column entry (redundant, leading or trailing command) in '${spec}'`);
    for (const char of entry) {
      const column = COLUMNS[char];
      if (!column) throw new CubedError(`Unknown column shorthand char '${char}' in '${entry}'`);
      columns.push(column);
    }
  }
  return columns;
}

/** The shortest alias (the first of equal length), and how many more there are. */
function aliasColumn(image: ImageInfo): string {
  const aliases = image.aliases ?? [];
  let shortest = '';
  for (const alias of aliases) {
    const aliasName = alias.name ?? '';
    if (shortest === '' || (aliasName.length !== 0 && aliasName.length < shortest.length)) shortest = aliasName;
  }
  return aliases.length > 1 ? `${shortest} (${aliases.length - 1} more)` : shortest;
}

/** lxc's imageShouldShow. */
function imageMatches(filters: readonly string[], image: ImageInfo): boolean {
  return filters.every((filter) => {
    const eq = filter.indexOf('=');
    if (eq < 0) {
      return (
        (image.aliases ?? []).some((a) => (a.name ?? '').includes(filter)) || (image.fingerprint ?? '').includes(filter)
      );
    }
    const key = filter.slice(0, eq);
    const value = filter.slice(eq + 1);
    for (const [property, propertyValue] of Object.entries(image.properties ?? {})) {
      if (!dotPrefixMatch(key, property)) continue;
      const anchored = value.includes('^') || value.includes('$') ? value : `^${value}$`;
      let matched: boolean;
      try {
        matched = new RegExp(anchored).test(propertyValue);
      } catch {
        matched = value === propertyValue;
      }
      if (matched) return true;
    }
    const fields = toGoJson(image, Image) as Record<string, unknown>;
    return key in fields && goValue(fields[key]) === value;
  });
}
