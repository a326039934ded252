/**
 * The diff between a Fan network's desired and observed state on one host, as an ordered list of
 * changes:
 *
 * 1. the global sysctls;
 * 2. the devices: a VXLAN device whose fixed parameters (VNI, port, local address, underlay
 *    interface, learning, TTL) differ is deleted and created again; then the bridge and the
 *    VXLAN device are created or adjusted (MAC, MTU, no master, up) and their addresses fixed
 *    (stale addresses first, so a deleted primary cannot take a new secondary with it);
 * 3. the device sysctls (all of them for a device created in this run);
 * 4. stale peer entries, removed route → neighbour → fdb;
 * 5. missing or wrong peer entries, written fdb → neighbour → route;
 * 6. the NAT table.
 *
 * Only what the network owns is ever removed: IPv4 addresses on its two devices, routes of its
 * protocol on its VXLAN device, permanent neighbours and remote FDB entries on that device, and
 * its own nftables table. A device with one of the network's names but of another kind is never
 * touched: planning onto it fails, and teardown leaves it alone.
 */
import type { FanChange } from './fan-change';
import { FanHostStateError } from './fan-errors';
import { natTableMatches } from './nft-masquerade';
import type {
  DesiredBridge,
  DesiredVxlan,
  FanActualState,
  FanDesiredState,
  FanOwnership,
  InterfaceAddress,
  ObservedLink,
} from './fan-state';

function checkKind(link: ObservedLink | undefined, kind: string): void {
  if (link && link.kind !== kind) {
    throw new FanHostStateError(
      `device ${link.name} exists but is ${link.kind ? `a ${link.kind}` : 'a plain device'}, not a ${kind}; ` +
        `it does not belong to this Fan network, so it is left alone (rename it or choose another name)`,
    );
  }
}

function vxlanNeedsRecreate(desired: DesiredVxlan, actual: ObservedLink): boolean {
  const v = actual.vxlan;
  return (
    !v ||
    v.vni !== desired.vni ||
    v.local !== desired.local ||
    v.device !== desired.device ||
    v.port !== desired.port ||
    v.learning ||
    v.ttl !== desired.ttl
  );
}

function addressChanges(
  device: string,
  desired: readonly InterfaceAddress[],
  actual: readonly InterfaceAddress[],
): FanChange[] {
  const changes: FanChange[] = [];
  for (const a of actual) {
    if (!desired.some((d) => d.cidr === a.cidr)) changes.push({ kind: 'delete-address', device, cidr: a.cidr });
  }
  for (const d of desired) {
    const present = actual.find((a) => a.cidr === d.cidr);
    if (!present || present.broadcast !== d.broadcast) {
      changes.push({ kind: 'add-address', device, cidr: d.cidr, ...(d.broadcast ? { broadcast: d.broadcast } : {}) });
    }
  }
  return changes;
}

function linkAdjustment(
  desired: { name: string; mac: string; mtu: number },
  actual: ObservedLink,
  requireNoMaster: boolean,
): FanChange[] {
  const noMaster = requireNoMaster && actual.master !== undefined;
  const macDiffers = actual.mac !== desired.mac;
  const mtuDiffers = actual.mtu !== desired.mtu;
  if (!noMaster && !macDiffers && !mtuDiffers && actual.up) return [];
  return [
    {
      kind: 'set-link',
      name: desired.name,
      ...(noMaster ? { noMaster: true as const } : {}),
      ...(macDiffers ? { mac: desired.mac } : {}),
      ...(mtuDiffers ? { mtu: desired.mtu } : {}),
      ...(!actual.up ? { up: true as const } : {}),
    },
  ];
}

function bridgeChanges(desired: DesiredBridge, actual: ObservedLink | undefined): FanChange[] {
  if (!actual) {
    return [
      { kind: 'create-bridge', name: desired.name, mac: desired.mac, mtu: desired.mtu },
      // Setting the MTU after creation pins it: otherwise the bridge follows its smallest port.
      { kind: 'set-link', name: desired.name, mtu: desired.mtu, up: true },
      ...addressChanges(desired.name, desired.addresses, []),
    ];
  }
  return [...linkAdjustment(desired, actual, false), ...addressChanges(desired.name, desired.addresses, actual.addresses)];
}

function vxlanChanges(desired: DesiredVxlan, actual: ObservedLink | undefined): FanChange[] {
  if (!actual) {
    const { addresses, ...device } = desired;
    return [
      { kind: 'create-vxlan', ...device },
      { kind: 'set-link', name: desired.name, up: true },
      ...addressChanges(desired.name, addresses, []),
    ];
  }
  return [...linkAdjustment(desired, actual, true), ...addressChanges(desired.name, desired.addresses, actual.addresses)];
}

/** The changes that take the host from `actual` to `desired`. */
export function diffFanState(desired: FanDesiredState, actual: FanActualState): FanChange[] {
  const { ownership } = desired;
  checkKind(actual.bridge, 'bridge');
  checkKind(actual.vxlan, 'vxlan');

  const changes: FanChange[] = [];
  const sysctlValue = (key: string) => actual.sysctls[key];
  for (const s of desired.sysctls) {
    if (s.device === undefined && sysctlValue(s.key) !== s.value) changes.push({ kind: 'set-sysctl', key: s.key, value: s.value });
  }

  const recreateVxlan = actual.vxlan !== undefined && vxlanNeedsRecreate(desired.vxlan, actual.vxlan);
  if (recreateVxlan) changes.push({ kind: 'delete-link', name: ownership.vxlanName });
  const vxlan = recreateVxlan ? undefined : actual.vxlan;
  changes.push(...bridgeChanges(desired.bridge, actual.bridge));
  changes.push(...vxlanChanges(desired.vxlan, vxlan));

  const created = new Set<string>();
  if (!actual.bridge) created.add(ownership.bridgeName);
  if (!vxlan) created.add(ownership.vxlanName);
  for (const s of desired.sysctls) {
    if (s.device === undefined) continue;
    if (created.has(s.device) || sysctlValue(s.key) !== s.value) changes.push({ kind: 'set-sysctl', key: s.key, value: s.value });
  }

  // Entries on a device that is missing or about to be replaced do not survive; start from none.
  const fdb = vxlan ? actual.fdb : [];
  const neighbours = vxlan ? actual.neighbours : [];
  const routes = vxlan ? actual.routes : [];
  const device = ownership.vxlanName;
  const protocol = ownership.routeProtocol;

  const wantedRoutes = new Map(desired.peers.map((p) => [p.route.destination, p.route]));
  const wantedNeighbours = new Map(desired.peers.map((p) => [p.neighbour.address, p.neighbour]));
  const wantedFdb = new Map(desired.peers.map((p) => [p.fdb.mac, p.fdb]));

  for (const r of routes) {
    if (!wantedRoutes.has(r.destination) || r.metric !== 0) {
      changes.push({ kind: 'delete-route', device, destination: r.destination, protocol, metric: r.metric });
    }
  }
  for (const n of neighbours) {
    if (n.permanent && !wantedNeighbours.has(n.address)) changes.push({ kind: 'delete-neighbour', device, address: n.address });
  }
  for (const f of fdb) {
    if (f.dst !== undefined && !wantedFdb.has(f.mac)) changes.push({ kind: 'delete-fdb', device, mac: f.mac, dst: f.dst });
  }

  for (const p of desired.peers) {
    const ok = fdb.some(
      (f) =>
        f.mac === p.fdb.mac &&
        f.dst === p.fdb.dst &&
        f.permanent &&
        f.via === undefined &&
        (f.port === undefined || f.port === desired.vxlan.port) &&
        (f.vni === undefined || f.vni === desired.vxlan.vni),
    );
    if (!ok) changes.push({ kind: 'replace-fdb', device, mac: p.fdb.mac, dst: p.fdb.dst });
  }
  for (const p of desired.peers) {
    const ok = neighbours.some((n) => n.address === p.neighbour.address && n.mac === p.neighbour.mac && n.permanent);
    if (!ok) changes.push({ kind: 'replace-neighbour', device, address: p.neighbour.address, mac: p.neighbour.mac });
  }
  for (const p of desired.peers) {
    const ok = routes.some(
      (r) => r.destination === p.route.destination && r.gateway === p.route.gateway && r.onlink && r.metric === 0,
    );
    if (!ok) {
      changes.push({ kind: 'replace-route', device, destination: p.route.destination, gateway: p.route.gateway, protocol });
    }
  }

  if (desired.nat) {
    if (!actual.nat.available) {
      throw new FanHostStateError(
        `network ${ownership.bridgeName} has ipv4.nat enabled, but nft (nftables) cannot be run on this host; install nftables or disable ipv4.nat`,
      );
    }
    if (!actual.nat.table || !natTableMatches(desired.nat, actual.nat.table)) {
      changes.push({ kind: 'apply-nat', table: desired.nat.table, rule: desired.nat.rule });
    }
  } else if (actual.nat.table) {
    changes.push({ kind: 'delete-nat', table: ownership.natTable });
  }
  return changes;
}

/**
 * The changes that remove everything the network owns from the host: routes, neighbours and FDB
 * entries (in that order), the NAT table, then the VXLAN device and the bridge. Host-wide
 * sysctls (ip_forward) are left as they are, since other networks may rely on them; the device
 * sysctls go with the devices.
 */
export function diffFanTeardown(ownership: FanOwnership, actual: FanActualState): FanChange[] {
  const changes: FanChange[] = [];
  const device = ownership.vxlanName;
  const vxlanOwned = actual.vxlan?.kind === 'vxlan';
  if (vxlanOwned) {
    for (const r of actual.routes) {
      changes.push({ kind: 'delete-route', device, destination: r.destination, protocol: ownership.routeProtocol, metric: r.metric });
    }
    for (const n of actual.neighbours) {
      if (n.permanent) changes.push({ kind: 'delete-neighbour', device, address: n.address });
    }
    for (const f of actual.fdb) {
      if (f.dst !== undefined) changes.push({ kind: 'delete-fdb', device, mac: f.mac, dst: f.dst });
    }
  }
  if (actual.nat.table) changes.push({ kind: 'delete-nat', table: ownership.natTable });
  if (vxlanOwned) changes.push({ kind: 'delete-link', name: ownership.vxlanName });
  if (actual.bridge?.kind === 'bridge') changes.push({ kind: 'delete-link', name: ownership.bridgeName });
  return changes;
}
