/**
 * Checking a cluster address: `host:port`, the host an IPv4 address, an IPv6 address in brackets
 * or a DNS name, the port 1-65535.
 */
import * as net from 'node:net';

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Why `address` is not a usable cluster address, or undefined when it is one. */
export function clusterAddressProblem(address: string): string | undefined {
  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(address);
  if (bracketed) {
    [, host, port] = bracketed;
    if (!net.isIPv6(host)) return `"${host}" in brackets is not an IPv6 address`;
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) return 'expected host:port';
    host = address.slice(0, colon);
    port = address.slice(colon + 1);
    if (host.includes(':')) return 'an IPv6 address must be written in brackets, as [address]:port';
    if (host === '') return 'the host is missing, expected host:port';
    if (!net.isIPv4(host) && (/^[0-9.]+$/.test(host) || !HOSTNAME.test(host))) return `"${host}" is neither an IP address nor a host name`;
  }
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `the port "${port}" is not a number from 1 to 65535`;
  return undefined;
}
