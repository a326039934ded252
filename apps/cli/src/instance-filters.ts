import * as net from 'node:net';
import type { InstanceFullInfo, InstanceInfo, InstanceStateInfo } from './lxd-types';

/**
 * The filters of `cube list` as lxc 5.0.2 applies them: a word is a regular expression anchored on the whole name
 * (`^web.*$`), or else a prefix of the name; `key=value` is a shorthand (type, status, architecture, location,
 * ipv4, ipv6; values separated by `,` match any), or a config key (each dot-separated part may be abbreviated:
 * `s.privileged` is `security.privileged`) whose value matches the anchored regular expression or is equal. All
 * filters must match.
 */

/** The fields of the API instance objects that the server can filter on (their YAML names). */
export const INSTANCE_FIELDS: readonly string[] = [
  'architecture',
  'config',
  'devices',
  'ephemeral',
  'profiles',
  'stateful',
  'description',
  'created_at',
  'name',
  'status',
  'status_code',
  'last_used_at',
  'location',
  'type',
  'project',
];

/** INSTANCE_FIELDS and the fields only instances with their state have (recursion=2). */
export const INSTANCE_FULL_FIELDS: readonly string[] = [...INSTANCE_FIELDS, 'backups', 'state', 'snapshots'];

/**
 * Splits filters into those the server can apply (`field=value` on a field of the object, without a dot in the key
 * or a comma in the value: lxc's getServerSupportedFilters) and the rest, applied by the client.
 */
export function splitServerFilters(
  filters: readonly string[],
  fields: readonly string[],
): { server: string[]; client: string[] } {
  const server: string[] = [];
  const client: string[] = [];
  for (const filter of filters) {
    const eq = filter.indexOf('=');
    const key = eq < 0 ? '' : filter.slice(0, eq);
    const supported = eq >= 0 && fields.includes(key) && !filter.slice(eq + 1).includes(',') && !key.includes('.');
    (supported ? server : client).push(filter);
  }
  return { server, client };
}

/** The `filter` query parameter of server filters: `name eq c1 and status eq running`. */
export function serverFilterQuery(filters: readonly string[]): string {
  return filters
    .map((filter) => {
      const eq = filter.indexOf('=');
      return `${filter.slice(0, eq)} eq ${filter.slice(eq + 1)}`;
    })
    .join(' and ');
}

/**
 * Whether an instance matches server filters, evaluated the way LXD's server does (for a server that cannot): a
 * string field matches the value as a case-insensitive regular expression anchored on both ends (or, when the
 * value is not one, case-insensitively equal); a field of any other type never equals the text.
 */
export function matchesServerFilters(filters: readonly string[], instance: InstanceFullInfo): boolean {
  return filters.every((filter) => {
    const eq = filter.indexOf('=');
    const value = (instance as Record<string, unknown>)[filter.slice(0, eq)];
    if (typeof value !== 'string') return false;
    return (
      anchoredMatch(filter.slice(eq + 1), value, 'i') ?? value.toLowerCase() === filter.slice(eq + 1).toLowerCase()
    );
  });
}

/**
 * lxc's shouldShow: whether an instance matches every client-side filter. `initial` is the first pass, before
 * the state is known, where `key=value` filters all pass.
 */
export function matchesFilters(
  filters: readonly string[],
  instance: InstanceInfo,
  state: InstanceStateInfo | null | undefined,
  initial: boolean,
): boolean {
  const name = instance.name ?? '';
  for (const filter of filters) {
    const eq = filter.indexOf('=');
    if (eq < 0) {
      if (anchoredMatch(filter, name) === true) continue;
      if (!name.startsWith(filter)) return false;
      continue;
    }
    const key = filter.slice(0, eq);
    const value = filter.slice(eq + 1);
    if (initial || matchesShorthand(key, value, instance, state)) continue;
    const config = instance.expanded_config ?? {};
    let found = false;
    for (const [configKey, configValue] of Object.entries(config)) {
      if (!dotPrefixMatch(key, configKey)) continue;
      const matched = anchoredMatch(value, configValue);
      if (matched === undefined) {
        if (value !== configValue) return false;
        found = true;
        break;
      }
      if (matched) {
        found = true;
        break;
      }
    }
    if (config[key] === value) continue;
    if (!found) return false;
  }
  return true;
}

/** Whether every dot-separated part of `short` starts the same part of `full` (`s.priv` and `security.privileged`). */
export function dotPrefixMatch(short: string, full: string): boolean {
  const shortParts = short.split('.');
  const fullParts = full.split('.');
  return shortParts.length === fullParts.length && fullParts.every((part, i) => part.startsWith(shortParts[i]));
}

type Shorthand = (instance: InstanceInfo, state: InstanceStateInfo | null | undefined, value: string) => boolean;

const equalFold = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();

const SHORTHANDS: Record<string, Shorthand> = {
  type: (instance, _state, value) => equalFold(instance.type, value),
  status: (instance, _state, value) => equalFold(instance.status, value),
  architecture: (instance, _state, value) => equalFold(instance.architecture, value),
  location: (instance, _state, value) => equalFold(instance.location, value),
  ipv4: (_instance, state, value) => matchesAddress(state, value, 'inet'),
  ipv6: (_instance, state, value) => matchesAddress(state, value, 'inet6'),
};

function matchesShorthand(
  key: string,
  value: string,
  instance: InstanceInfo,
  state: InstanceStateInfo | null | undefined,
): boolean {
  const shorthand = SHORTHANDS[key.toLowerCase()];
  if (!shorthand) return false;
  return value.split(',').some((one) => shorthand(instance, state, one));
}

/** Whether an address of the family is the query, or lies in it when it is a CIDR. */
function matchesAddress(state: InstanceStateInfo | null | undefined, query: string, family: string): boolean {
  const subnet = parseCidr(query);
  for (const network of Object.values(state?.network ?? {})) {
    for (const address of network.addresses ?? []) {
      if (address.family !== family) continue;
      if (address.address === query) return true;
      if (subnet && address.address && subnet.check(address.address, net.isIPv6(address.address) ? 'ipv6' : 'ipv4')) {
        return true;
      }
    }
  }
  return false;
}

function parseCidr(text: string): net.BlockList | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const prefix = Number(text.slice(slash + 1));
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) return undefined;
  const list = new net.BlockList();
  list.addSubnet(address, prefix, family);
  return list;
}

/**
 * Whether `text` matches `pattern` as a regular expression anchored with `^…$` (unless the pattern has an anchor
 * of its own); undefined when the pattern is not a valid regular expression.
 */
function anchoredMatch(pattern: string, text: string, flags = ''): boolean | undefined {
  const anchored = pattern.includes('^') || pattern.includes('$') ? pattern : `^${pattern}$`;
  try {
    return new RegExp(anchored, flags).test(text);
  } catch {
    return undefined;
  }
}
