/**
 * The shapes of a Fan network's state on one host: what the planner wants (desired) and what the
 * reader sees (observed). The diff compares the two.
 */
import type { FanMemberMapping } from './fan-mapping';

/** What one Fan network owns on a host, so that reading and teardown can find exactly that. */
export interface FanOwnership {
  readonly bridgeName: string;
  readonly vxlanName: string;
  /** Routes with this protocol on the VXLAN device are the network's. */
  readonly routeProtocol: number;
  /** The nftables table (family ip) holding the network's NAT rule. */
  readonly natTable: string;
}

/** The interface that carries the member's underlay address. */
export interface UnderlayInterface {
  readonly device: string;
  readonly mtu: number;
  readonly address: string;
  readonly prefixLength: number;
}

export interface SysctlSetting {
  /** Dotted sysctl name, e.g. net.ipv4.conf.fan0.proxy_arp. */
  readonly key: string;
  readonly value: string;
  /** Set when the key belongs to a device and exists only while the device does. */
  readonly device?: string;
}

export interface InterfaceAddress {
  /** Address with prefix length, e.g. 240.0.46.1/8. */
  readonly cidr: string;
  readonly broadcast?: string;
}

export interface DesiredBridge {
  readonly name: string;
  readonly mac: string;
  readonly mtu: number;
  readonly addresses: readonly InterfaceAddress[];
}

export interface DesiredVxlan {
  readonly name: string;
  readonly mac: string;
  readonly mtu: number;
  readonly vni: number;
  readonly port: number;
  /** Local underlay address the tunnel is sourced from. */
  readonly local: string;
  /** The underlay interface. */
  readonly device: string;
  readonly ttl: number;
  readonly addresses: readonly InterfaceAddress[];
}

/** A VXLAN forwarding entry: frames for `mac` go to the underlay address `dst`. */
export interface FdbEntry {
  readonly mac: string;
  readonly dst: string;
}

/** A permanent neighbour entry on the VXLAN device: a peer's endpoint address and MAC. */
export interface NeighbourEntry {
  readonly address: string;
  readonly mac: string;
}

/** An on-link route on the VXLAN device: a peer's subnet via its endpoint address. */
export interface RouteEntry {
  readonly destination: string;
  readonly gateway: string;
}

export interface DesiredPeer {
  readonly member: FanMemberMapping;
  readonly fdb: FdbEntry;
  readonly neighbour: NeighbourEntry;
  readonly route: RouteEntry;
}

/**
 * The masquerade rule: packets from `sourceSubnet` to anything outside `excludedDestination`
 * that leave through an interface not in `excludedInterfaces`.
 */
export interface NatRule {
  readonly sourceSubnet: string;
  readonly excludedDestination: string;
  readonly excludedInterfaces: readonly string[];
}

export interface DesiredNat {
  readonly table: string;
  readonly rule: NatRule;
}

/** The complete desired state of a Fan network on one member. */
export interface FanDesiredState {
  readonly ownership: FanOwnership;
  readonly self: FanMemberMapping;
  /** Global sysctls first, then the ones of the devices. */
  readonly sysctls: readonly SysctlSetting[];
  readonly bridge: DesiredBridge;
  readonly vxlan: DesiredVxlan;
  /** One entry per other member, ordered by member name. */
  readonly peers: readonly DesiredPeer[];
  readonly nat?: DesiredNat;
}

export interface ObservedVxlan {
  readonly vni: number;
  readonly local?: string;
  readonly device?: string;
  readonly port?: number;
  readonly learning: boolean;
  readonly ttl?: number;
}

export interface ObservedLink {
  readonly name: string;
  /** The link kind (bridge, vxlan, veth...); absent for plain devices. */
  readonly kind?: string;
  readonly mac?: string;
  readonly mtu: number;
  /** The administrative UP flag. */
  readonly up: boolean;
  readonly master?: string;
  /** IPv4 addresses only. */
  readonly addresses: readonly InterfaceAddress[];
  readonly vxlan?: ObservedVxlan;
}

export interface ObservedFdbEntry {
  readonly mac: string;
  readonly dst?: string;
  readonly permanent: boolean;
  readonly port?: number;
  readonly vni?: number;
  readonly via?: string;
}

export interface ObservedNeighbour {
  readonly address: string;
  readonly mac?: string;
  readonly permanent: boolean;
}

export interface ObservedRoute {
  readonly destination: string;
  readonly gateway?: string;
  readonly device?: string;
  readonly onlink: boolean;
  readonly metric: number;
}

export interface ObservedNatChain {
  readonly name: string;
  readonly type?: string;
  readonly hook?: string;
  readonly priority?: number;
  readonly policy?: string;
}

export interface ObservedNatRule {
  readonly chain: string;
  /** The rule when it has the masquerade shape this library writes. */
  readonly rule?: NatRule;
}

export interface ObservedNatTable {
  readonly name: string;
  readonly chains: readonly ObservedNatChain[];
  readonly rules: readonly ObservedNatRule[];
  /** Objects other than chains and rules (sets, maps, ...). */
  readonly otherObjects: number;
}

/** What the reader saw of a Fan network on one host. */
export interface FanActualState {
  readonly bridge?: ObservedLink;
  readonly vxlan?: ObservedLink;
  /** Entries on the VXLAN device that have a remote destination. */
  readonly fdb: readonly ObservedFdbEntry[];
  /** Neighbour entries on the VXLAN device. */
  readonly neighbours: readonly ObservedNeighbour[];
  /** Routes of the network's protocol on the VXLAN device (main table). */
  readonly routes: readonly ObservedRoute[];
  /** Values of the sysctls asked for; keys that do not exist are absent. */
  readonly sysctls: Readonly<Record<string, string>>;
  /** Whether nft can be run, and the network's table when it exists. */
  readonly nat: { readonly available: boolean; readonly table?: ObservedNatTable };
}
