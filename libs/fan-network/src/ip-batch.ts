/**
 * Rendering of changes into iproute2 batch lines: the `ip -batch -` and `bridge -batch -` input
 * (each line is one command without the program name).
 */
import type { FanChange } from './fan-change';

export type BatchTool = 'ip' | 'bridge';

export interface BatchLine {
  readonly tool: BatchTool;
  readonly line: string;
}

/** The changes carried out by ip or bridge (sysctls and NAT have their own tools). */
export type BatchChange = Exclude<FanChange, { kind: 'set-sysctl' | 'apply-nat' | 'delete-nat' }>;

export function renderBatchLine(change: BatchChange): BatchLine {
  const ip = (line: string): BatchLine => ({ tool: 'ip', line });
  switch (change.kind) {
    case 'delete-link':
      return ip(`link delete dev ${change.name}`);
    case 'create-bridge':
      return ip(`link add name ${change.name} address ${change.mac} mtu ${change.mtu} type bridge`);
    case 'create-vxlan':
      return ip(
        `link add name ${change.name} address ${change.mac} mtu ${change.mtu} type vxlan id ${change.vni} ` +
          `dstport ${change.port} local ${change.local} dev ${change.device} nolearning ttl ${change.ttl}`,
      );
    case 'set-link':
      return ip(
        [
          `link set dev ${change.name}`,
          change.noMaster ? 'nomaster' : undefined,
          change.mac !== undefined ? `address ${change.mac}` : undefined,
          change.mtu !== undefined ? `mtu ${change.mtu}` : undefined,
          change.up ? 'up' : undefined,
        ]
          .filter((p) => p !== undefined)
          .join(' '),
      );
    case 'add-address':
      return ip(
        `address replace ${change.cidr}${change.broadcast !== undefined ? ` broadcast ${change.broadcast}` : ''} dev ${change.device}`,
      );
    case 'delete-address':
      return ip(`address delete ${change.cidr} dev ${change.device}`);
    case 'replace-fdb':
      return { tool: 'bridge', line: `fdb replace ${change.mac} dev ${change.device} dst ${change.dst} self permanent` };
    case 'delete-fdb':
      return { tool: 'bridge', line: `fdb delete ${change.mac} dev ${change.device} dst ${change.dst} self` };
    case 'replace-neighbour':
      return ip(`neighbour replace ${change.address} lladdr ${change.mac} dev ${change.device} nud permanent`);
    case 'delete-neighbour':
      return ip(`neighbour delete ${change.address} dev ${change.device}`);
    case 'replace-route':
      return ip(
        `route replace ${change.destination} via ${change.gateway} dev ${change.device} onlink proto ${change.protocol} table main`,
      );
    case 'delete-route':
      return ip(
        `route delete ${change.destination} dev ${change.device} proto ${change.protocol} metric ${change.metric} table main`,
      );
  }
}
