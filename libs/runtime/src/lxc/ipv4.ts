/**
 * IPv4 address arithmetic for NIC configuration.
 */
import { RuntimeError } from '../errors/runtime-error';

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string, what: string): number {
  const match = QUAD.exec(text);
  const parts = match ? match.slice(1).map(Number) : [];
  if (!match || parts.some((part) => part > 255) || match.slice(1).some((part) => part.length > 1 && part.startsWith('0'))) {
    throw new RuntimeError('InvalidArgument', `Invalid IPv4 address "${text}" for ${what}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** The broadcast address of the network `address/prefixLength`. */
export function broadcastAddress(address: string, prefixLength: number): string {
  return formatIpv4((parseIpv4(address, 'the broadcast computation') | ~prefixMask(prefixLength)) >>> 0);
}

export function sameNetwork(a: number, b: number, prefixLength: number): boolean {
  const mask = prefixMask(prefixLength);
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}
