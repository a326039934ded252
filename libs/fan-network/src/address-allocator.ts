/**
 * Static address allocation for container NICs on a member's Fan subnet: the lowest free address
 * from the second host address up to the one before the broadcast (.2-.254 in a /24; .1 is the
 * bridge). Deterministic: the same subnet and used set always give the same address.
 */
import { FanAddressExhaustedError, FanConfigError } from './fan-errors';
import { broadcastOf, cidrContains, formatIpv4, formatIpv4Cidr, Ipv4FormatError, isNetworkAddress, parseIpv4, parseIpv4Cidr } from './ipv4';

function parseUsed(text: string): number {
  const slash = text.indexOf('/');
  try {
    return parseIpv4(slash < 0 ? text : text.slice(0, slash));
  } catch (err) {
    if (err instanceof Ipv4FormatError) throw new FanConfigError(`used address "${text}": ${err.message}`);
    throw err;
  }
}

/** The first and last allocatable container address of a member subnet. */
export function containerAddressRange(subnet: string): { first: string; last: string } {
  const { first, last } = rangeOf(subnet);
  return { first: formatIpv4(first), last: formatIpv4(last) };
}

function rangeOf(subnet: string): { first: number; last: number; cidr: ReturnType<typeof parseIpv4Cidr> } {
  let cidr;
  try {
    cidr = parseIpv4Cidr(subnet);
  } catch (err) {
    if (err instanceof Ipv4FormatError) throw new FanConfigError(`member subnet: ${err.message}`);
    throw err;
  }
  if (!isNetworkAddress(cidr) || cidr.prefixLength > 30) {
    throw new FanConfigError(`member subnet ${subnet} must be a network address with a prefix length of at most 30`);
  }
  return { first: cidr.address + 2, last: broadcastOf(cidr) - 1, cidr };
}

/**
 * Allocates the lowest address of `subnet` (e.g. "240.0.46.0/24") that is not in `used`. Used
 * entries may carry a prefix length ("240.0.46.5/8"); entries outside the subnet are ignored.
 */
export function allocateFanAddress(subnet: string, used: Iterable<string>): string {
  const { first, last, cidr } = rangeOf(subnet);
  const taken = new Set<number>();
  for (const text of used) {
    const address = parseUsed(text);
    if (cidrContains(cidr, address)) taken.add(address);
  }
  for (let address = first; address <= last; address++) {
    if (!taken.has(address)) return formatIpv4(address);
  }
  const name = formatIpv4Cidr(cidr);
  throw new FanAddressExhaustedError(
    `no free container address in ${name}: all ${last - first + 1} addresses from ${formatIpv4(first)} to ${formatIpv4(last)} are in use`,
    name,
  );
}
