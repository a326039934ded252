/**
 * The desired-state planner: from a network's configuration, the member list, which member this
 * host is and the host's underlay interface, the complete state this member should have.
 *
 * Layout on each member (routed, one VXLAN device that is not a bridge port):
 * - sysctls: net.ipv4.ip_forward=1; on the bridge proxy_arp=1 (containers have the overlay's
 *   prefix length, so they ARP for other members' addresses directly) and neigh proxy_delay=0
 *   (the default delays proxied ARP replies by up to 0.8 s); rp_filter=2 (loose) on the bridge and
 *   the VXLAN device, which is enough because the kernel uses the larger of the "all" and the
 *   per-device value, and leaves the host-wide setting alone.
 * - the bridge with a MAC derived from the underlay address (so it does not change as ports join),
 *   the member's bridge address with the overlay prefix length, and the Fan MTU;
 * - the VXLAN device: VNI from the overlay, UDP port 8472, sourced from the underlay address on
 *   the underlay interface, no learning, endpoint MAC from the underlay address, holding the
 *   member subnet's network address as a /32;
 * - per peer: an FDB entry (peer endpoint MAC → peer underlay address), a permanent neighbour
 *   (peer endpoint address → MAC) and an on-link route (peer subnet via peer endpoint address),
 *   marked with the network's route protocol;
 * - with ipv4.nat, one masquerade rule for the member subnet.
 */
import { FanConfigError, FanHostStateError, FanMappingError } from './fan-errors';
import { FanNetworkConfig, FAN_VXLAN_PORT } from './fan-network-config';
import {
  FanMember,
  FanMemberMapping,
  fanLayout,
  fanMtu,
  formatFanOverlay,
  mapFanMembers,
  resolveUnderlaySubnet,
  VXLAN_OVERHEAD_BYTES,
} from './fan-mapping';
import type { DesiredPeer, FanDesiredState, FanOwnership, SysctlSetting, UnderlayInterface } from './fan-state';

/** TTL of the encapsulated packets. */
export const FAN_VXLAN_TTL = 64;

export interface FanPlanInput {
  readonly network: FanNetworkConfig;
  readonly members: readonly FanMember[];
  /** Name of the member this host is. */
  readonly self: string;
  /** The interface on this host that carries the member's underlay address. */
  readonly underlay: UnderlayInterface;
}

/** What a network owns on every host, derived from its names alone. */
export function fanOwnership(network: FanNetworkConfig): FanOwnership {
  return {
    bridgeName: network.bridgeName,
    vxlanName: network.vxlanName,
    routeProtocol: network.routeProtocol,
    natTable: `cubed-fan-${network.bridgeName}`,
  };
}

function planMtu(network: FanNetworkConfig, underlay: UnderlayInterface): number {
  const limit = fanMtu(underlay.mtu);
  if (network.mtu === undefined) return limit;
  if (network.mtu > limit) {
    throw new FanConfigError(
      `bridge.mtu ${network.mtu} is too large: the underlay interface ${underlay.device} has MTU ${underlay.mtu}, ` +
        `so the Fan can carry at most ${limit} (${VXLAN_OVERHEAD_BYTES} bytes go to the VXLAN encapsulation)`,
      'bridge.mtu',
    );
  }
  return network.mtu;
}

/** The sysctls a network needs on every member: the global one first, then the devices' ones. */
export function fanSysctls(network: FanNetworkConfig): SysctlSetting[] {
  const bridge = network.bridgeName;
  const vxlan = network.vxlanName;
  return [
    { key: 'net.ipv4.ip_forward', value: '1' },
    { key: `net.ipv4.conf.${bridge}.proxy_arp`, value: '1', device: bridge },
    { key: `net.ipv4.neigh.${bridge}.proxy_delay`, value: '0', device: bridge },
    { key: `net.ipv4.conf.${bridge}.rp_filter`, value: '2', device: bridge },
    { key: `net.ipv4.conf.${vxlan}.rp_filter`, value: '2', device: vxlan },
  ];
}

function peerOf(mapping: FanMemberMapping): DesiredPeer {
  return {
    member: mapping,
    fdb: { mac: mapping.vtepMac, dst: mapping.underlayAddress },
    neighbour: { address: mapping.vtepAddress, mac: mapping.vtepMac },
    route: { destination: mapping.subnet, gateway: mapping.vtepAddress },
  };
}

/** The member named `self`; a `FanMappingError` when the list does not contain it. */
export function findSelfMember(members: readonly FanMember[], self: string): FanMember {
  const member = members.find((m) => m.name === self);
  if (!member) {
    throw new FanMappingError(
      `member "${self}" is not in the member list (${members.map((m) => `"${m.name}"`).join(', ') || 'empty'})`,
      'unknown-member',
      [self],
    );
  }
  return member;
}

/** Plans the desired state of `input.network` on member `input.self`. */
export function planFan(input: FanPlanInput): FanDesiredState {
  const { network, underlay } = input;
  const selfMember = findSelfMember(input.members, input.self);
  const underlaySubnet = resolveUnderlaySubnet(network.underlaySubnet, underlay.address, underlay.prefixLength);
  const layout = fanLayout(network.overlaySubnet, underlaySubnet);
  const mappings = mapFanMembers(layout, input.members);
  const self = mappings.find((m) => m.member === input.self) as FanMemberMapping;
  if (self.underlayAddress !== underlay.address) {
    throw new FanHostStateError(
      `member "${input.self}" has underlay address ${selfMember.underlayAddress}, but the underlay interface ` +
        `${underlay.device} given for it carries ${underlay.address}`,
    );
  }
  const mtu = planMtu(network, underlay);
  const ownership = fanOwnership(network);
  const peers = mappings
    .filter((m) => m.member !== input.self)
    .sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
    .map(peerOf);

  return {
    ownership,
    self,
    sysctls: fanSysctls(network),
    bridge: {
      name: network.bridgeName,
      mac: self.bridgeMac,
      mtu,
      addresses: [{ cidr: `${self.bridgeAddress}/${self.addressPrefixLength}`, broadcast: self.overlayBroadcast }],
    },
    vxlan: {
      name: network.vxlanName,
      mac: self.vtepMac,
      mtu,
      vni: layout.vni,
      port: FAN_VXLAN_PORT,
      local: self.underlayAddress,
      device: underlay.device,
      ttl: FAN_VXLAN_TTL,
      addresses: [{ cidr: `${self.vtepAddress}/32` }],
    },
    peers,
    ...(network.nat
      ? {
          nat: {
            table: ownership.natTable,
            rule: {
              sourceSubnet: self.subnet,
              excludedDestination: formatFanOverlay(layout),
              excludedInterfaces: [network.bridgeName, network.vxlanName],
            },
          },
        }
      : {}),
  };
}
