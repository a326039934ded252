/** A network's bridge on this member as LXD's /1.0/networks/<name>/state shows it, read with `ip -j -s addr`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LxdError } from '../http/lxd-error';

const run = promisify(execFile);

interface IpAddrJson {
  ifname: string;
  operstate?: string;
  flags?: string[];
  mtu: number;
  address?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
  stats64?: { rx?: { bytes: number; packets: number; errors: number; dropped: number }; tx?: { bytes: number; packets: number; errors: number; dropped: number } };
}

export async function readNetworkState(bridge: string, lastError?: string) {
  let parsed: IpAddrJson[];
  try {
    const { stdout } = await run('ip', ['-j', '-s', 'addr', 'show', 'dev', bridge], { timeout: 10_000 });
    parsed = JSON.parse(stdout) as IpAddrJson[];
  } catch (err) {
    throw new LxdError(404, `Network interface "${bridge}" is not set up on this member${lastError ? `: ${lastError}` : ''} (${(err as Error).message.split('\n')[0]})`);
  }
  const link = parsed[0];
  if (!link) throw new LxdError(404, `Network interface "${bridge}" is not set up on this member`);
  return {
    addresses: (link.addr_info ?? []).map((a) => ({ family: a.family, address: a.local, netmask: String(a.prefixlen), scope: a.scope })),
    counters: {
      bytes_received: link.stats64?.rx?.bytes ?? 0,
      bytes_sent: link.stats64?.tx?.bytes ?? 0,
      packets_received: link.stats64?.rx?.packets ?? 0,
      packets_sent: link.stats64?.tx?.packets ?? 0,
      errors_received: link.stats64?.rx?.errors ?? 0,
      errors_sent: link.stats64?.tx?.errors ?? 0,
      packets_dropped_inbound: link.stats64?.rx?.dropped ?? 0,
      packets_dropped_outbound: link.stats64?.tx?.dropped ?? 0,
    },
    hwaddr: link.address ?? '',
    mtu: link.mtu,
    state: link.flags?.includes('UP') ? 'up' : 'down',
    type: 'broadcast',
    bond: null,
    bridge: null,
    vlan: null,
  };
}
