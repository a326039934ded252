/**
 * Parsers for the JSON that iproute2 prints with `-j` (`ip -j -d addr show`, `ip -j route show`,
 * `ip -j neigh show`, `bridge -j fdb show`) and for `sysctl` output, into the observed-state
 * shapes. Pure functions: the reader runs the commands.
 */
import type { InterfaceAddress, ObservedFdbEntry, ObservedLink, ObservedNeighbour, ObservedRoute, ObservedVxlan } from './fan-state';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonArray(text: string, what: string): Record<string, Json>[] {
  if (text.trim() === '') return [];
  const parsed: Json = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`${what}: expected a JSON array`);
  return parsed.filter(isObject);
}

function optionalString(value: Json): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(value: Json): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function stringList(value: Json): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A link with all its addresses, as `ip -j -d addr show` reports it. */
export interface ParsedInterface extends ObservedLink {
  /** Every IPv4 address with its prefix length, for finding the underlay interface. */
  readonly ipv4: readonly { readonly address: string; readonly prefixLength: number }[];
}

function vxlanInfo(data: Record<string, Json>): ObservedVxlan {
  const local = optionalString(data.local);
  const device = optionalString(data.link);
  const port = optionalNumber(data.port);
  const ttl = optionalNumber(data.ttl);
  return {
    vni: optionalNumber(data.id) ?? -1,
    ...(local !== undefined ? { local } : {}),
    ...(device !== undefined ? { device } : {}),
    ...(port !== undefined ? { port } : {}),
    learning: data.learning === true,
    ...(ttl !== undefined ? { ttl } : {}),
  };
}

/** `ip -j -d addr show` → every interface with its kind, flags, MTU and IPv4 addresses. */
export function parseIpAddrShow(text: string): ParsedInterface[] {
  return jsonArray(text, 'ip -j -d addr show').map((entry) => {
    const linkinfo = isObject(entry.linkinfo) ? entry.linkinfo : undefined;
    const kind = linkinfo ? optionalString(linkinfo.info_kind) : undefined;
    const addrInfo = Array.isArray(entry.addr_info) ? entry.addr_info.filter(isObject) : [];
    const inet = addrInfo.filter((a) => a.family === 'inet' && typeof a.local === 'string' && typeof a.prefixlen === 'number');
    const addresses: InterfaceAddress[] = inet.map((a) => {
      const broadcast = optionalString(a.broadcast);
      return { cidr: `${a.local as string}/${a.prefixlen as number}`, ...(broadcast !== undefined ? { broadcast } : {}) };
    });
    const mac = optionalString(entry.address);
    const master = optionalString(entry.master);
    const vxlan = kind === 'vxlan' && linkinfo && isObject(linkinfo.info_data) ? vxlanInfo(linkinfo.info_data) : undefined;
    return {
      name: String(entry.ifname),
      ...(kind !== undefined ? { kind } : {}),
      ...(mac !== undefined ? { mac } : {}),
      mtu: optionalNumber(entry.mtu) ?? 0,
      up: stringList(entry.flags).includes('UP'),
      ...(master !== undefined ? { master } : {}),
      addresses,
      ...(vxlan ? { vxlan } : {}),
      ipv4: inet.map((a) => ({ address: a.local as string, prefixLength: a.prefixlen as number })),
    };
  });
}

function normalizeDestination(dst: string): string {
  if (dst === 'default') return '0.0.0.0/0';
  return dst.includes('/') ? dst : `${dst}/32`;
}

/** `ip -j route show` → routes (IPv4). */
export function parseIpRoutes(text: string): ObservedRoute[] {
  return jsonArray(text, 'ip -j route show')
    .filter((r) => typeof r.dst === 'string')
    .map((r) => {
      const gateway = optionalString(r.gateway);
      const device = optionalString(r.dev);
      return {
        destination: normalizeDestination(r.dst as string),
        ...(gateway !== undefined ? { gateway } : {}),
        ...(device !== undefined ? { device } : {}),
        onlink: stringList(r.flags).includes('onlink'),
        metric: optionalNumber(r.metric) ?? 0,
      };
    });
}

/** A neighbour entry with the device it is on, when the output names it. */
export interface ParsedNeighbour extends ObservedNeighbour {
  readonly device?: string;
}

/** `ip -j neigh show` → neighbour entries. */
export function parseIpNeighbours(text: string): ParsedNeighbour[] {
  return jsonArray(text, 'ip -j neigh show')
    .filter((n) => typeof n.dst === 'string')
    .map((n) => {
      const mac = optionalString(n.lladdr);
      const device = optionalString(n.dev);
      return {
        address: n.dst as string,
        ...(mac !== undefined ? { mac } : {}),
        permanent: stringList(n.state).includes('PERMANENT'),
        ...(device !== undefined ? { device } : {}),
      };
    });
}

/** An FDB entry with the device it is on, when the output names it. */
export interface ParsedFdbEntry extends ObservedFdbEntry {
  readonly device?: string;
}

/** `bridge -j fdb show` → forwarding entries. */
export function parseBridgeFdb(text: string): ParsedFdbEntry[] {
  return jsonArray(text, 'bridge -j fdb show')
    .filter((f) => typeof f.mac === 'string')
    .map((f) => {
      const dst = optionalString(f.dst);
      const port = optionalNumber(f.port);
      const vni = optionalNumber(f.vni);
      const via = optionalString(f.via);
      const device = optionalString(f.ifname);
      return {
        mac: (f.mac as string).toLowerCase(),
        ...(dst !== undefined ? { dst } : {}),
        permanent: f.state === 'permanent',
        ...(port !== undefined ? { port } : {}),
        ...(vni !== undefined ? { vni } : {}),
        ...(via !== undefined ? { via } : {}),
        ...(device !== undefined ? { device } : {}),
      };
    });
}

/** `sysctl key...` output ("key = value" lines) → values by key. */
export function parseSysctlOutput(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf(' = ');
    if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 3).trim();
  }
  return values;
}
