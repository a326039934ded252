/**
 * Observes a Fan network's actual state on a host through a command runner:
 * `ip -j -d addr show` (devices, their kind, VXLAN parameters and addresses),
 * `ip -j route show table main proto <N>`, `ip -j neigh show dev <vxlan>`,
 * `bridge -j fdb show dev <vxlan>`, `sysctl -e <keys>` and `nft -j list table ip <table>`.
 */
import { COMMAND_NOT_FOUND, CommandRunner, outputOf, runChecked } from './command-runner';
import { FanHostStateError } from './fan-errors';
import type { FanActualState, FanOwnership, ObservedNatTable, UnderlayInterface } from './fan-state';
import {
  parseBridgeFdb,
  parseIpAddrShow,
  parseIpNeighbours,
  parseIpRoutes,
  parseSysctlOutput,
  ParsedInterface,
} from './iproute-json';
import { parseNatTable, parseNftTableNames } from './nft-masquerade';

/** The observed state plus every interface seen, for locating the underlay interface. */
export interface FanObservation {
  readonly actual: FanActualState;
  readonly interfaces: readonly ParsedInterface[];
}

/** The interface carrying `address` among `interfaces`. */
export function findUnderlayInterface(
  interfaces: readonly ParsedInterface[],
  address: string,
  member: string,
  ownership?: FanOwnership,
): UnderlayInterface {
  for (const i of interfaces) {
    if (ownership && (i.name === ownership.bridgeName || i.name === ownership.vxlanName)) continue;
    const hit = i.ipv4.find((a) => a.address === address);
    if (hit) return { device: i.name, mtu: i.mtu, address, prefixLength: hit.prefixLength };
  }
  throw new FanHostStateError(
    `no interface in this network namespace carries the underlay address ${address} of member "${member}"`,
  );
}

export class FanStateReader {
  constructor(private readonly runner: CommandRunner) {}

  /** Reads everything the network owns, and the sysctls named by `sysctlKeys`. */
  async read(ownership: FanOwnership, sysctlKeys: readonly string[]): Promise<FanObservation> {
    const interfaces = parseIpAddrShow(await runChecked(this.runner, 'ip', ['-j', '-d', 'addr', 'show']));
    const bridge = interfaces.find((i) => i.name === ownership.bridgeName);
    const vxlan = interfaces.find((i) => i.name === ownership.vxlanName);
    const vxlanOwned = vxlan?.kind === 'vxlan';
    const device = ownership.vxlanName;

    const [routes, neighbours, fdb, sysctls, nat] = await Promise.all([
      vxlanOwned
        ? runChecked(this.runner, 'ip', ['-j', 'route', 'show', 'table', 'main', 'proto', String(ownership.routeProtocol)]).then(
            (out) => parseIpRoutes(out).filter((r) => r.device === device),
          )
        : Promise.resolve([]),
      vxlanOwned
        ? runChecked(this.runner, 'ip', ['-j', 'neigh', 'show', 'dev', device]).then((out) =>
            parseIpNeighbours(out).filter((n) => n.device === undefined || n.device === device),
          )
        : Promise.resolve([]),
      vxlanOwned
        ? runChecked(this.runner, 'bridge', ['-j', 'fdb', 'show', 'dev', device]).then((out) =>
            parseBridgeFdb(out).filter((f) => f.dst !== undefined && (f.device === undefined || f.device === device)),
          )
        : Promise.resolve([]),
      sysctlKeys.length > 0
        ? runChecked(this.runner, 'sysctl', ['-e', ...sysctlKeys]).then(parseSysctlOutput)
        : Promise.resolve({} as Record<string, string>),
      this.readNat(ownership.natTable),
    ]);

    const strip = ({ ipv4: _ipv4, ...link }: ParsedInterface) => link;
    return {
      actual: {
        ...(bridge ? { bridge: strip(bridge) } : {}),
        ...(vxlan ? { vxlan: strip(vxlan) } : {}),
        fdb: fdb.map(({ device: _d, ...entry }) => entry),
        neighbours: neighbours.map(({ device: _d, ...entry }) => entry),
        routes,
        sysctls,
        nat,
      },
      interfaces,
    };
  }

  private async readNat(table: string): Promise<{ available: boolean; table?: ObservedNatTable }> {
    const listArgs = ['-j', 'list', 'tables', 'ip'];
    const listed = await this.runner.run('nft', listArgs);
    if (listed.exitCode === COMMAND_NOT_FOUND) return { available: false };
    const names = parseNftTableNames(outputOf('nft', listArgs, listed));
    if (!names.includes(table)) return { available: true };
    const text = await runChecked(this.runner, 'nft', ['-j', 'list', 'table', 'ip', table]);
    return { available: true, table: parseNatTable(table, text) };
  }
}
