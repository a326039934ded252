/**
 * Shared inputs for the library's unit tests: a three-member network as planned on member n1,
 * the observed state of a host that already matches a desired state, and a command runner that
 * plays such a host.
 */
import { COMMAND_NOT_FOUND, CommandResult, CommandRunner } from './command-runner';
import { FanNetworkConfig, fanNetworkConfig } from './fan-network-config';
import type { FanMember } from './fan-mapping';
import { planFan } from './fan-plan';
import type { FanActualState, FanDesiredState, ObservedNatTable, UnderlayInterface } from './fan-state';

export const TEST_NETWORK: FanNetworkConfig = fanNetworkConfig({ bridgeName: 'fan0', vxlanName: 'fan0-vx', nat: true });

export const TEST_MEMBERS: readonly FanMember[] = [
  { name: 'n1', underlayAddress: '192.168.0.46' },
  { name: 'n2', underlayAddress: '192.168.0.47' },
  { name: 'n3', underlayAddress: '192.168.1.48' },
];

export const TEST_UNDERLAY: UnderlayInterface = { device: 'eth0', mtu: 1500, address: '192.168.0.46', prefixLength: 16 };

export function testPlan(members: readonly FanMember[] = TEST_MEMBERS, network: FanNetworkConfig = TEST_NETWORK): FanDesiredState {
  return planFan({ network, members, self: 'n1', underlay: TEST_UNDERLAY });
}

/** The observed state of a host on which `desired` is fully in place. */
export function convergedActual(desired: FanDesiredState): FanActualState {
  return {
    bridge: {
      name: desired.bridge.name,
      kind: 'bridge',
      mac: desired.bridge.mac,
      mtu: desired.bridge.mtu,
      up: true,
      addresses: desired.bridge.addresses,
    },
    vxlan: {
      name: desired.vxlan.name,
      kind: 'vxlan',
      mac: desired.vxlan.mac,
      mtu: desired.vxlan.mtu,
      up: true,
      addresses: desired.vxlan.addresses,
      vxlan: {
        vni: desired.vxlan.vni,
        local: desired.vxlan.local,
        device: desired.vxlan.device,
        port: desired.vxlan.port,
        learning: false,
        ttl: desired.vxlan.ttl,
      },
    },
    fdb: desired.peers.map((p) => ({ ...p.fdb, permanent: true })),
    neighbours: desired.peers.map((p) => ({ ...p.neighbour, permanent: true })),
    routes: desired.peers.map((p) => ({ ...p.route, device: desired.vxlan.name, onlink: true, metric: 0 })),
    sysctls: Object.fromEntries(desired.sysctls.map((s) => [s.key, s.value])),
    nat: desired.nat
      ? {
          available: true,
          table: {
            name: desired.nat.table,
            chains: [{ name: 'postrouting', type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept' }],
            rules: [{ chain: 'postrouting', rule: desired.nat.rule }],
            otherObjects: 0,
          },
        }
      : { available: true },
  };
}

/** The observed state of a host with nothing of the network on it. */
export function emptyActual(): FanActualState {
  return { fdb: [], neighbours: [], routes: [], sysctls: {}, nat: { available: true } };
}

/**
 * A command runner that plays a host whose Fan state is `state`: it answers the reader's
 * commands with iproute2/sysctl/nft output rendered from that state, records every command, and
 * hands writes (batches, sysctl -w, nft -f) to `onWrite`, which may change the state.
 */
export class SimulatedHostRunner implements CommandRunner {
  readonly calls: { line: string; input?: string }[] = [];
  onWrite: (host: SimulatedHostRunner, line: string, input?: string) => void = () => undefined;

  constructor(
    public state: FanActualState,
    readonly underlay: UnderlayInterface = TEST_UNDERLAY,
    readonly routeProtocol = TEST_NETWORK.routeProtocol,
  ) {}

  get writes(): { line: string; input?: string }[] {
    return this.calls.filter((c) => !isRead(c.line));
  }

  async run(command: string, args: readonly string[], input?: string): Promise<CommandResult> {
    const line = [command, ...args].join(' ');
    this.calls.push({ line, ...(input !== undefined ? { input } : {}) });
    const ok = (stdout: string): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
    const s = this.state;
    if (line === 'ip -j -d addr show') return ok(JSON.stringify(this.links()));
    if (line === `ip -j route show table main proto ${this.routeProtocol}`) {
      return ok(
        JSON.stringify(
          s.routes.map((r) => ({ dst: r.destination, gateway: r.gateway, dev: r.device, flags: r.onlink ? ['onlink'] : [], ...(r.metric ? { metric: r.metric } : {}) })),
        ),
      );
    }
    if (line.startsWith('ip -j neigh show dev ')) {
      return ok(JSON.stringify(s.neighbours.map((n) => ({ dst: n.address, lladdr: n.mac, state: [n.permanent ? 'PERMANENT' : 'STALE'] }))));
    }
    if (line.startsWith('bridge -j fdb show dev ')) {
      return ok(JSON.stringify(s.fdb.map((f) => ({ mac: f.mac, dst: f.dst, flags: ['self'], state: f.permanent ? 'permanent' : '' }))));
    }
    if (command === 'sysctl' && args[0] === '-e') {
      return ok(args.slice(1).filter((k) => k in s.sysctls).map((k) => `${k} = ${s.sysctls[k]}\n`).join(''));
    }
    if (line === 'nft -j list tables ip') {
      if (!s.nat.available) return { exitCode: COMMAND_NOT_FOUND, stdout: '', stderr: 'nft: command not found' };
      const tables = s.nat.table ? [{ table: { family: 'ip', name: s.nat.table.name, handle: 1 } }] : [];
      return ok(JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6' } }, ...tables] }));
    }
    if (line.startsWith('nft -j list table ip ') && s.nat.table) return ok(JSON.stringify(nftTableJson(s.nat.table)));
    if (isRead(line)) return { exitCode: 1, stdout: '', stderr: `unexpected read: ${line}` };
    this.onWrite(this, line, input);
    return ok('');
  }

  private links(): unknown[] {
    const s = this.state;
    const link = (l: NonNullable<FanActualState['bridge']>) => ({
      ifname: l.name,
      flags: l.up ? ['BROADCAST', 'UP'] : ['BROADCAST'],
      mtu: l.mtu,
      ...(l.master ? { master: l.master } : {}),
      address: l.mac,
      ...(l.kind
        ? {
            linkinfo: {
              info_kind: l.kind,
              ...(l.vxlan
                ? { info_data: { id: l.vxlan.vni, local: l.vxlan.local, link: l.vxlan.device, port: l.vxlan.port, learning: l.vxlan.learning, ttl: l.vxlan.ttl } }
                : {}),
            },
          }
        : {}),
      addr_info: l.addresses.map((a) => {
        const [local, prefixlen] = a.cidr.split('/');
        return { family: 'inet', local, prefixlen: Number(prefixlen), ...(a.broadcast ? { broadcast: a.broadcast } : {}) };
      }),
    });
    const u = this.underlay;
    return [
      { ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536, address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
      {
        ifname: u.device,
        flags: ['BROADCAST', 'UP'],
        mtu: u.mtu,
        address: '52:54:00:00:00:01',
        linkinfo: { info_kind: 'veth' },
        addr_info: [{ family: 'inet', local: u.address, prefixlen: u.prefixLength }],
      },
      ...(s.bridge ? [link(s.bridge)] : []),
      ...(s.vxlan ? [link(s.vxlan)] : []),
    ];
  }
}

function isRead(line: string): boolean {
  return line.startsWith('ip -j ') || line.startsWith('bridge -j ') || line.startsWith('sysctl -e') || line.startsWith('nft -j ');
}

function nftTableJson(table: ObservedNatTable): unknown {
  return {
    nftables: [
      { metainfo: { version: '1.0.6' } },
      { table: { family: 'ip', name: table.name, handle: 1 } },
      ...table.chains.map((c) => ({
        chain: { family: 'ip', table: table.name, name: c.name, handle: 1, type: c.type, hook: c.hook, prio: c.priority, policy: c.policy },
      })),
      ...table.rules.map((r) => ({
        rule: {
          family: 'ip',
          table: table.name,
          chain: r.chain,
          handle: 2,
          expr: r.rule
            ? [
                { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: prefixJson(r.rule.sourceSubnet) } },
                { match: { op: '!=', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: prefixJson(r.rule.excludedDestination) } },
                { match: { op: '!=', left: { meta: { key: 'oifname' } }, right: { set: r.rule.excludedInterfaces } } },
                { masquerade: null },
              ]
            : [{ accept: null }],
        },
      })),
    ],
  };
}

function prefixJson(cidr: string): unknown {
  const [addr, len] = cidr.split('/');
  return { prefix: { addr, len: Number(len) } };
}
