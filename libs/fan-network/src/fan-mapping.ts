/**
 * The Fan address mapping: each member's underlay address determines, with no coordination, the
 * overlay subnet its containers use.
 *
 * The rule: the host bits of the member's underlay address (its position inside the underlay
 * subnet) fill the overlay's free bits just below the overlay prefix. The member subnet's prefix
 * length is the overlay prefix length plus the underlay's host bit count, and what remains is the
 * member's own container range:
 *
 *     memberPrefixLength = overlayPrefixLength + (32 - underlayPrefixLength)
 *     memberSubnet       = overlayNetwork + (underlayHostBits << (32 - memberPrefixLength))
 *
 * The member subnet must leave at least 8 bits (a /24) for containers, so:
 *
 *   underlay /16 × overlay /8   → /24 per member: 192.168.C.D → 240.C.D.0/24
 *   underlay /24 × overlay /8   → /16 per member: 10.1.2.D    → 240.D.0.0/16
 *   underlay /24 × overlay /16  → /24 per member: 10.1.2.D    → O1.O2.D.0/24 (e.g. 10.20.D.0/24)
 *   underlay /16 × overlay /16  → refused: the 16 host bits fill the overlay's 16 free bits and
 *                                 leave nothing for containers
 *
 * Within a member subnet the network address (.0) belongs to the member's VXLAN endpoint, the
 * first host address (.1) to the bridge, and the rest up to the address before the broadcast
 * (.2-.254 in a /24) to containers. Containers and the bridge use the overlay's prefix length
 * (e.g. 240.0.46.1/8) so that every overlay address is on-link for them; the host answers ARP for
 * other members' addresses (proxy ARP) and routes them over the VXLAN.
 *
 * The VNI is the overlay network address shifted right by 8 bits (240.0.0.0/8 → 15728640), and
 * the endpoint MAC is 0e:fa: followed by the four underlay address bytes, so members only need to
 * know each other's underlay addresses.
 */
import { FanConfigError, FanMappingError } from './fan-errors';
import {
  broadcastOf,
  cidrContains,
  cidrsOverlap,
  formatIpv4,
  formatIpv4Cidr,
  hostBitsOf,
  Ipv4Cidr,
  Ipv4FormatError,
  ipv4HexBytes,
  isNetworkAddress,
  networkOf,
  parseIpv4,
  parseIpv4Cidr,
} from './ipv4';

export const DEFAULT_FAN_OVERLAY_SUBNET = '240.0.0.0/8';
/** Bytes a VXLAN encapsulation over IPv4 adds: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const VXLAN_OVERHEAD_BYTES = 50;
/** The smallest Fan MTU accepted: the datagram size every IPv4 host must be able to receive. */
export const MIN_FAN_MTU = 576;

const SUPPORTED_UNDERLAY_PREFIXES = [16, 24];
const SUPPORTED_OVERLAY_PREFIXES = [8, 16];
const MIN_CONTAINER_BITS = 8;
const RESERVED_OVERLAY_RANGES: readonly { cidr: string; what: string }[] = [
  { cidr: '0.0.0.0/8', what: '"this network" (0.0.0.0/8)' },
  { cidr: '127.0.0.0/8', what: 'loopback (127.0.0.0/8)' },
  { cidr: '224.0.0.0/4', what: 'multicast (224.0.0.0/4)' },
  { cidr: '255.255.255.255/32', what: 'the limited broadcast address 255.255.255.255' },
];

/** A cluster member as the Fan sees it. */
export interface FanMember {
  readonly name: string;
  readonly underlayAddress: string;
}

/** A validated overlay × underlay combination. */
export interface FanLayout {
  /** The overlay network (host bits clear), e.g. 240.0.0.0/8. */
  readonly overlay: Ipv4Cidr;
  /** The underlay network (host bits clear), e.g. 192.168.0.0/16. */
  readonly underlay: Ipv4Cidr;
  /** Prefix length of each member's subnet: overlay prefix + underlay host bits. */
  readonly memberPrefixLength: number;
  readonly vni: number;
}

/** Everything about one member that follows from its underlay address. */
export interface FanMemberMapping {
  readonly member: string;
  readonly underlayAddress: string;
  /** The member's overlay subnet, e.g. 240.0.46.0/24. */
  readonly subnet: string;
  /** The subnet's network address, held by the member's VXLAN device, e.g. 240.0.46.0. */
  readonly vtepAddress: string;
  /** The bridge's address, e.g. 240.0.46.1. */
  readonly bridgeAddress: string;
  /** Prefix length of the bridge and container addresses: the overlay's, e.g. 8. */
  readonly addressPrefixLength: number;
  /** The overlay's broadcast address, e.g. 240.255.255.255 (LXC needs it spelled out). */
  readonly overlayBroadcast: string;
  /** Container addresses (and the DHCP range): from the second host address to the last. */
  readonly dhcpRange: { readonly first: string; readonly last: string };
  /** MAC of the member's VXLAN device: 0e:fa:<underlay bytes>. */
  readonly vtepMac: string;
  /** MAC of the member's bridge: 0e:fb:<underlay bytes>. */
  readonly bridgeMac: string;
}

function mappingCidr(text: string, what: string): Ipv4Cidr {
  try {
    return parseIpv4Cidr(text);
  } catch (err) {
    if (err instanceof Ipv4FormatError) throw new FanConfigError(`${what}: ${err.message}`);
    throw err;
  }
}

function mappingAddress(text: string, what: string): number {
  try {
    return parseIpv4(text);
  } catch (err) {
    if (err instanceof Ipv4FormatError) throw new FanConfigError(`${what}: ${err.message}`);
    throw err;
  }
}

/**
 * The underlay subnet for a `fan.underlay_subnet` setting: an explicit network, or "auto" for the
 * subnet of the member's own underlay address (address and prefix length as assigned on its
 * interface).
 */
export function resolveUnderlaySubnet(setting: string, memberAddress: string, memberPrefixLength: number): Ipv4Cidr {
  if (setting !== 'auto') return mappingCidr(setting, 'fan.underlay_subnet');
  const address = mappingAddress(memberAddress, 'underlay address');
  if (!SUPPORTED_UNDERLAY_PREFIXES.includes(memberPrefixLength)) {
    throw new FanMappingError(
      `fan.underlay_subnet=auto: the underlay address ${memberAddress}/${memberPrefixLength} is in a /${memberPrefixLength}; ` +
        `the Fan needs a /16 or /24 underlay (set fan.underlay_subnet explicitly)`,
      'invalid-underlay-prefix',
    );
  }
  return networkOf({ address, prefixLength: memberPrefixLength });
}

/** Validates an overlay × underlay combination and derives the member prefix length and VNI. */
export function fanLayout(overlaySubnet: string, underlaySubnet: string | Ipv4Cidr): FanLayout {
  const overlay = mappingCidr(overlaySubnet, 'fan.overlay_subnet');
  const underlay = typeof underlaySubnet === 'string' ? mappingCidr(underlaySubnet, 'fan.underlay_subnet') : underlaySubnet;
  const overlayText = formatIpv4Cidr(overlay);
  const underlayText = formatIpv4Cidr(underlay);

  if (!SUPPORTED_OVERLAY_PREFIXES.includes(overlay.prefixLength)) {
    throw new FanMappingError(
      `fan.overlay_subnet ${overlayText}: the overlay must be a /8 or /16, not a /${overlay.prefixLength}`,
      'invalid-overlay-prefix',
    );
  }
  if (!SUPPORTED_UNDERLAY_PREFIXES.includes(underlay.prefixLength)) {
    throw new FanMappingError(
      `fan.underlay_subnet ${underlayText}: the underlay must be a /16 or /24, not a /${underlay.prefixLength}`,
      'invalid-underlay-prefix',
    );
  }
  if (!isNetworkAddress(overlay)) {
    throw new FanMappingError(
      `fan.overlay_subnet ${overlayText} has host bits set; did you mean ${formatIpv4Cidr(networkOf(overlay))}?`,
      'not-a-network-address',
    );
  }
  if (!isNetworkAddress(underlay)) {
    throw new FanMappingError(
      `fan.underlay_subnet ${underlayText} has host bits set; did you mean ${formatIpv4Cidr(networkOf(underlay))}?`,
      'not-a-network-address',
    );
  }
  for (const reserved of RESERVED_OVERLAY_RANGES) {
    if (cidrsOverlap(overlay, parseIpv4Cidr(reserved.cidr))) {
      throw new FanMappingError(`fan.overlay_subnet ${overlayText} overlaps ${reserved.what}`, 'reserved-overlay');
    }
  }
  if (cidrsOverlap(overlay, underlay)) {
    throw new FanMappingError(
      `fan.overlay_subnet ${overlayText} overlaps fan.underlay_subnet ${underlayText}`,
      'overlay-overlaps-underlay',
    );
  }
  const underlayHostBits = 32 - underlay.prefixLength;
  const memberPrefixLength = overlay.prefixLength + underlayHostBits;
  if (32 - memberPrefixLength < MIN_CONTAINER_BITS) {
    throw new FanMappingError(
      `fan.overlay_subnet ${overlayText} is too small for fan.underlay_subnet ${underlayText}: the underlay's ` +
        `${underlayHostBits} host bits would leave ${Math.max(0, 32 - memberPrefixLength)} bits per member ` +
        `(at least ${MIN_CONTAINER_BITS} are needed; use a /8 overlay or a /24 underlay)`,
      'overlay-too-small',
    );
  }
  return { overlay, underlay, memberPrefixLength, vni: fanVni(overlay) };
}

/** The VNI of an overlay: its network address shifted right by 8 bits (240.0.0.0/8 → 15728640). */
export function fanVni(overlay: Ipv4Cidr): number {
  return networkOf(overlay).address >>> 8;
}

/** The Fan MTU for a parent (underlay) interface MTU: the parent MTU less the VXLAN overhead. */
export function fanMtu(parentMtu: number): number {
  const mtu = parentMtu - VXLAN_OVERHEAD_BYTES;
  if (!Number.isInteger(parentMtu) || mtu < MIN_FAN_MTU) {
    throw new FanConfigError(
      `underlay MTU ${parentMtu} is too small for the Fan: it must be an integer of at least ${MIN_FAN_MTU + VXLAN_OVERHEAD_BYTES}`,
      'bridge.mtu',
    );
  }
  return mtu;
}

/** A member's underlay address in canonical dotted-quad form. */
export function canonicalUnderlayAddress(member: FanMember): string {
  return formatIpv4(mappingAddress(member.underlayAddress, `member "${member.name}"`));
}

/** The VXLAN endpoint MAC of a member: 0e:fa: and the underlay address bytes (locally administered). */
export function fanVtepMac(underlayAddress: string): string {
  return `0e:fa:${ipv4HexBytes(mappingAddress(underlayAddress, 'underlay address'))}`;
}

/** The bridge MAC of a member: 0e:fb: and the underlay address bytes. */
export function fanBridgeMac(underlayAddress: string): string {
  return `0e:fb:${ipv4HexBytes(mappingAddress(underlayAddress, 'underlay address'))}`;
}

/** Maps one member's underlay address to its overlay subnet and the addresses derived from it. */
export function mapFanMember(layout: FanLayout, member: FanMember): FanMemberMapping {
  const address = mappingAddress(member.underlayAddress, `member "${member.name}"`);
  const underlayText = formatIpv4Cidr(layout.underlay);
  if (!cidrContains(layout.underlay, address)) {
    throw new FanMappingError(
      `member "${member.name}": underlay address ${member.underlayAddress} is outside the underlay subnet ${underlayText}`,
      'address-outside-underlay',
      [member.name],
    );
  }
  const hostBits = hostBitsOf(address, layout.underlay.prefixLength);
  if (hostBits === 0 || address === broadcastOf(layout.underlay)) {
    throw new FanMappingError(
      `member "${member.name}": underlay address ${member.underlayAddress} is the ` +
        `${hostBits === 0 ? 'network' : 'broadcast'} address of ${underlayText}, not a host address`,
      'reserved-underlay-address',
      [member.name],
    );
  }
  const subnetAddress = (layout.overlay.address + hostBits * 2 ** (32 - layout.memberPrefixLength)) >>> 0;
  const subnet: Ipv4Cidr = { address: subnetAddress, prefixLength: layout.memberPrefixLength };
  return {
    member: member.name,
    underlayAddress: formatIpv4(address),
    subnet: formatIpv4Cidr(subnet),
    vtepAddress: formatIpv4(subnetAddress),
    bridgeAddress: formatIpv4(subnetAddress + 1),
    addressPrefixLength: layout.overlay.prefixLength,
    overlayBroadcast: formatIpv4(broadcastOf(layout.overlay)),
    dhcpRange: { first: formatIpv4(subnetAddress + 2), last: formatIpv4(broadcastOf(subnet) - 1) },
    vtepMac: fanVtepMac(member.underlayAddress),
    bridgeMac: fanBridgeMac(member.underlayAddress),
  };
}

/**
 * Maps every member, refusing duplicate member names and any two members that would share an
 * overlay subnet (within one underlay subnet that happens exactly when they share an address).
 */
export function mapFanMembers(layout: FanLayout, members: readonly FanMember[]): FanMemberMapping[] {
  const byName = new Map<string, FanMember>();
  const bySubnet = new Map<string, FanMemberMapping>();
  const mappings: FanMemberMapping[] = [];
  for (const member of members) {
    if (byName.has(member.name)) {
      throw new FanMappingError(`member "${member.name}" is listed more than once`, 'duplicate-member', [member.name]);
    }
    byName.set(member.name, member);
    const mapping = mapFanMember(layout, member);
    const other = bySubnet.get(mapping.subnet);
    if (other) {
      throw new FanMappingError(
        `members "${other.member}" (${other.underlayAddress}) and "${member.name}" (${mapping.underlayAddress}) ` +
          `would both get the overlay subnet ${mapping.subnet}`,
        'duplicate-subnet',
        [other.member, member.name],
      );
    }
    bySubnet.set(mapping.subnet, mapping);
    mappings.push(mapping);
  }
  return mappings;
}

/** The overlay network of a layout as text, e.g. 240.0.0.0/8. */
export function formatFanOverlay(layout: FanLayout): string {
  return formatIpv4Cidr(layout.overlay);
}
