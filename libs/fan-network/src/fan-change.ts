/**
 * One change to a host's network state, as produced by the diff and rendered to commands.
 */
import type { NatRule } from './fan-state';

export type FanChange =
  | { readonly kind: 'set-sysctl'; readonly key: string; readonly value: string }
  | { readonly kind: 'delete-link'; readonly name: string }
  | { readonly kind: 'create-bridge'; readonly name: string; readonly mac: string; readonly mtu: number }
  | {
      readonly kind: 'create-vxlan';
      readonly name: string;
      readonly mac: string;
      readonly mtu: number;
      readonly vni: number;
      readonly port: number;
      readonly local: string;
      readonly device: string;
      readonly ttl: number;
    }
  | {
      readonly kind: 'set-link';
      readonly name: string;
      readonly mac?: string;
      readonly mtu?: number;
      readonly up?: true;
      readonly noMaster?: true;
    }
  | { readonly kind: 'add-address'; readonly device: string; readonly cidr: string; readonly broadcast?: string }
  | { readonly kind: 'delete-address'; readonly device: string; readonly cidr: string }
  | { readonly kind: 'replace-fdb'; readonly device: string; readonly mac: string; readonly dst: string }
  | { readonly kind: 'delete-fdb'; readonly device: string; readonly mac: string; readonly dst: string }
  | { readonly kind: 'replace-neighbour'; readonly device: string; readonly address: string; readonly mac: string }
  | { readonly kind: 'delete-neighbour'; readonly device: string; readonly address: string }
  | {
      readonly kind: 'replace-route';
      readonly device: string;
      readonly destination: string;
      readonly gateway: string;
      readonly protocol: number;
    }
  | {
      readonly kind: 'delete-route';
      readonly device: string;
      readonly destination: string;
      readonly protocol: number;
      readonly metric: number;
    }
  | { readonly kind: 'apply-nat'; readonly table: string; readonly rule: NatRule }
  | { readonly kind: 'delete-nat'; readonly table: string };

export type FanChangeKind = FanChange['kind'];

/** A one-line, human-readable description of a change. */
export function describeFanChange(change: FanChange): string {
  switch (change.kind) {
    case 'set-sysctl':
      return `set sysctl ${change.key}=${change.value}`;
    case 'delete-link':
      return `delete device ${change.name}`;
    case 'create-bridge':
      return `create bridge ${change.name} (MAC ${change.mac}, MTU ${change.mtu})`;
    case 'create-vxlan':
      return (
        `create vxlan ${change.name} (VNI ${change.vni}, port ${change.port}, local ${change.local} on ${change.device}, ` +
        `MAC ${change.mac}, MTU ${change.mtu})`
      );
    case 'set-link': {
      const parts = [
        change.noMaster ? 'no master' : undefined,
        change.mac !== undefined ? `MAC ${change.mac}` : undefined,
        change.mtu !== undefined ? `MTU ${change.mtu}` : undefined,
        change.up ? 'up' : undefined,
      ].filter((p): p is string => p !== undefined);
      return `set device ${change.name}: ${parts.join(', ')}`;
    }
    case 'add-address':
      return `add address ${change.cidr} to ${change.device}`;
    case 'delete-address':
      return `delete address ${change.cidr} from ${change.device}`;
    case 'replace-fdb':
      return `fdb ${change.mac} → ${change.dst} on ${change.device}`;
    case 'delete-fdb':
      return `delete fdb ${change.mac} → ${change.dst} on ${change.device}`;
    case 'replace-neighbour':
      return `neighbour ${change.address} → ${change.mac} on ${change.device}`;
    case 'delete-neighbour':
      return `delete neighbour ${change.address} on ${change.device}`;
    case 'replace-route':
      return `route ${change.destination} via ${change.gateway} on ${change.device}`;
    case 'delete-route':
      return `delete route ${change.destination} on ${change.device}`;
    case 'apply-nat':
      return `nat: masquerade ${change.rule.sourceSubnet} (table ${change.table})`;
    case 'delete-nat':
      return `delete nat table ${change.table}`;
  }
}
