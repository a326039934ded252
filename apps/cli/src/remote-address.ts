import * as fs from 'node:fs';
import { CubedError } from './cubed-error';

/** LXD's default HTTPS port. */
export const DEFAULT_HTTPS_PORT = 8443;

/**
 * The address of a new remote in the form lxc stores it (`lxc remote add`): `https://<host>:<port>` (port 8443 when
 * none is given, IPv6 hosts in brackets, any path dropped) or `unix://<path>`. Accepted: a host, host:port, an
 * https:// URL, a unix: URL, an absolute socket path, or the path of an existing socket.
 */
export function normalizeRemoteAddress(addr: string): string {
  let scheme = '';
  let host = addr;
  const separator = addr.indexOf('://');
  if (separator >= 0) {
    scheme = addr.slice(0, separator);
    host = addr.slice(separator + 3).split('/')[0];
  } else if (/^unix:/.test(addr)) {
    scheme = 'unix';
  }
  if (scheme !== '' && scheme !== 'unix' && scheme !== 'https')
    throw new CubedError(`Invalid URL scheme "${scheme}" in "${addr}"`);
  if (scheme === '') scheme = addr.startsWith('/') || isUnixSocket(addr) ? 'unix' : 'https';
  if (scheme === 'unix') return `unix://${addr.replace(/^unix:/, '').replace(/^\/\//, '')}`;

  let port = String(DEFAULT_HTTPS_PORT);
  const split = splitHostPort(host);
  if (split) [host, port] = split;
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `https://${host}:${port}`;
}

/** Go's net.SplitHostPort: `host:port` or `[v6]:port`; undefined without a port or with a bare IPv6 address. */
function splitHostPort(hostport: string): [string, string] | undefined {
  if (hostport.startsWith('[')) {
    const m = /^\[([^\]]*)\]:([^:]*)$/.exec(hostport);
    return m ? [m[1], m[2]] : undefined;
  }
  const colon = hostport.lastIndexOf(':');
  if (colon < 0 || hostport.indexOf(':') !== colon) return undefined;
  return [hostport.slice(0, colon), hostport.slice(colon + 1)];
}

function isUnixSocket(file: string): boolean {
  try {
    return fs.statSync(file).isSocket();
  } catch {
    return false;
  }
}
