/**
 * `cluster:up --netns`: the members as separate hosts on one machine, each daemon in its own
 * network namespace on a 192.168.0.0/16 underlay (a "switch" namespace with a bridge, and a veth
 * pair per member: `192.168.0.<11+i>` on its `eth0`), as the Fan needs. The namespaces are named
 * `cubedlc-*`; deleting them removes every interface in them.
 */
import { execFileSync } from 'node:child_process';

export const SWITCH_NETNS = 'cubedlc-sw';
export const memberNetns = (index: number): string => `cubedlc-m${index + 1}`;
export const memberUnderlayAddress = (index: number): string => `192.168.0.${11 + index}`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function exists(netns: string): boolean {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .some((line) => line.split(' ')[0] === netns);
}

/** Creates the switch and `count` member namespaces; returns their names. Fails if one exists already. */
export function createNetnsHosts(count: number): string[] {
  const made: string[] = [];
  try {
    for (const ns of [SWITCH_NETNS, ...Array.from({ length: count }, (_, i) => memberNetns(i))]) {
      if (exists(ns)) throw new Error(`network namespace ${ns} exists already (a local cluster still running? npm run cluster:down)`);
    }
    ip('netns', 'add', SWITCH_NETNS);
    made.push(SWITCH_NETNS);
    ip('-n', SWITCH_NETNS, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', SWITCH_NETNS, 'link', 'set', 'br0', 'up');
    for (let i = 0; i < count; i++) {
      const ns = memberNetns(i);
      ip('netns', 'add', ns);
      made.push(ns);
      const outer = `cubedlc-v${i + 1}`;
      ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('link', 'set', outer, 'netns', SWITCH_NETNS);
      ip('-n', SWITCH_NETNS, 'link', 'set', outer, 'master', 'br0');
      ip('-n', SWITCH_NETNS, 'link', 'set', outer, 'up');
      ip('-n', ns, 'address', 'add', `${memberUnderlayAddress(i)}/16`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    return made;
  } catch (err) {
    deleteNetnsHosts(made);
    throw err;
  }
}

export function deleteNetnsHosts(names: readonly string[]): void {
  for (const ns of [...names].reverse()) {
    try {
      ip('netns', 'delete', ns);
    } catch {
      // already gone
    }
  }
}
