/**
 * A container's interfaces as LXD reports them, from `ip -json -stats address show` run in the
 * container's network namespace.
 */
import { NetworkInterfaceState, ResolvedNicDevice } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';

interface IpAddressInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
}

interface IpStats {
  bytes?: number;
  packets?: number;
  errors?: number;
  dropped?: number;
}

interface IpLink {
  ifname?: string;
  flags?: string[];
  mtu?: number;
  link_type?: string;
  address?: string;
  addr_info?: IpAddressInfo[];
  stats64?: { rx?: IpStats; tx?: IpStats };
}

/** The command (run inside the container's network namespace) whose output `parseNetworkState` reads. */
export const IP_ADDRESS_COMMAND = ['ip', '-json', '-stats', 'address', 'show'] as const;

function scope(value: string | undefined): string {
  if (value === 'host') return 'local';
  return value ?? 'global';
}

export function parseNetworkState(json: string, nics: readonly ResolvedNicDevice[]): Record<string, NetworkInterfaceState> {
  let links: IpLink[];
  try {
    links = JSON.parse(json) as IpLink[];
  } catch (error) {
    throw new RuntimeError('Failed', 'Cannot parse the output of ip -json address show', (error as Error).message);
  }
  if (!Array.isArray(links)) throw new RuntimeError('Failed', 'Unexpected output of ip -json address show');
  const result: Record<string, NetworkInterfaceState> = {};
  for (const link of links) {
    if (!link.ifname) continue;
    const flags = link.flags ?? [];
    const rx = link.stats64?.rx ?? {};
    const tx = link.stats64?.tx ?? {};
    result[link.ifname] = {
      addresses: (link.addr_info ?? [])
        .filter((info) => (info.family === 'inet' || info.family === 'inet6') && info.local !== undefined)
        .map((info) => ({
          family: info.family as 'inet' | 'inet6',
          address: info.local as string,
          netmask: String(info.prefixlen ?? ''),
          scope: scope(info.scope),
        })),
      counters: {
        bytesReceived: rx.bytes ?? 0,
        bytesSent: tx.bytes ?? 0,
        packetsReceived: rx.packets ?? 0,
        packetsSent: tx.packets ?? 0,
        errorsReceived: rx.errors ?? 0,
        errorsSent: tx.errors ?? 0,
        packetsDroppedInbound: rx.dropped ?? 0,
        packetsDroppedOutbound: tx.dropped ?? 0,
      },
      hwaddr: link.address ?? '',
      hostName: nics.find((nic) => nic.name === link.ifname)?.hostName ?? '',
      mtu: link.mtu ?? 0,
      state: flags.includes('UP') ? 'up' : 'down',
      type: link.link_type === 'loopback' || flags.includes('LOOPBACK') ? 'loopback' : flags.includes('POINTOPOINT') ? 'point-to-point' : 'broadcast',
    };
  }
  return result;
}
