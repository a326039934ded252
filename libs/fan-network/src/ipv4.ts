/**
 * IPv4 address and prefix arithmetic on unsigned 32-bit integers. Addresses are parsed from and
 * formatted to dotted quads; every value handed out is in the range 0..2^32-1.
 */

/** An address with a prefix length, e.g. 192.168.0.46/16. The address may have host bits set. */
export interface Ipv4Cidr {
  readonly address: number;
  readonly prefixLength: number;
}

/** A text is not a valid IPv4 address or prefix. */
export class Ipv4FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ipv4FormatError';
  }
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parses a dotted quad ("192.168.0.46"); octets with leading zeros are refused as ambiguous. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) {
    throw new Ipv4FormatError(`"${text}" is not an IPv4 address (expected four decimal octets 0-255, e.g. 192.168.0.46)`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(address: number): string {
  return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.');
}

/** Parses "a.b.c.d/len". */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const slash = text.indexOf('/');
  if (slash < 0) throw new Ipv4FormatError(`"${text}" is not an IPv4 prefix (expected address/length, e.g. 240.0.0.0/8)`);
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]?)$/.test(lengthText) || Number(lengthText) > 32) {
    throw new Ipv4FormatError(`"${text}" has an invalid prefix length "${lengthText}" (expected 0-32)`);
  }
  return { address: parseIpv4(text.slice(0, slash)), prefixLength: Number(lengthText) };
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.address)}/${cidr.prefixLength}`;
}

/** The netmask of a prefix length as an integer (24 → 0xffffff00). */
export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** The prefix with its host bits cleared. */
export function networkOf(cidr: Ipv4Cidr): Ipv4Cidr {
  return { address: (cidr.address & prefixMask(cidr.prefixLength)) >>> 0, prefixLength: cidr.prefixLength };
}

/** The last address of the prefix (all host bits set). */
export function broadcastOf(cidr: Ipv4Cidr): number {
  return (networkOf(cidr).address | ~prefixMask(cidr.prefixLength)) >>> 0;
}

/** The value of the host bits of an address within a prefix length (192.168.0.46 in /16 → 46). */
export function hostBitsOf(address: number, prefixLength: number): number {
  return (address & ~prefixMask(prefixLength)) >>> 0;
}

export function isNetworkAddress(cidr: Ipv4Cidr): boolean {
  return networkOf(cidr).address === cidr.address;
}

export function cidrContains(cidr: Ipv4Cidr, address: number): boolean {
  const mask = prefixMask(cidr.prefixLength);
  return ((address & mask) >>> 0) === ((cidr.address & mask) >>> 0);
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const shorter = a.prefixLength <= b.prefixLength ? a : b;
  const longer = shorter === a ? b : a;
  return cidrContains(shorter, longer.address);
}

/** The four bytes of an address as two-digit lowercase hex, separated by colons ("c0:a8:00:2e"). */
export function ipv4HexBytes(address: number): string {
  return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(':');
}
