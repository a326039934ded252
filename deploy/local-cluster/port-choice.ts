/** Choosing the one TCP port every member listens on: LXD's 8443 when it is free on every member address. */
import * as net from 'node:net';

export const DEFAULT_PORT = 8443;
const PORTS_TRIED = 200;

/** Whether a listener can bind `host:port` right now (a wildcard listener on the port makes it busy too). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function busyHosts(hosts: string[], port: number): Promise<string[]> {
  const free = await Promise.all(hosts.map((h) => portIsFree(h, port)));
  return hosts.filter((_, i) => !free[i]);
}

/**
 * `requested`: that port, or an error naming the addresses where it is taken. Otherwise the first
 * port from 8443 on that is free on all `hosts`.
 */
export async function choosePort(hosts: string[], requested?: number): Promise<number> {
  if (requested !== undefined) {
    const busy = await busyHosts(hosts, requested);
    if (busy.length) throw new Error(`port ${requested} is already in use on ${busy.join(', ')}`);
    return requested;
  }
  for (let port = DEFAULT_PORT; port < DEFAULT_PORT + PORTS_TRIED; port++) {
    if ((await busyHosts(hosts, port)).length === 0) return port;
  }
  throw new Error(`no port from ${DEFAULT_PORT} to ${DEFAULT_PORT + PORTS_TRIED - 1} is free on all of ${hosts.join(', ')}`);
}
