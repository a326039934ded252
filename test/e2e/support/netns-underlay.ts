/**
 * An underlay network made of network namespaces, for members that must look like separate hosts
 * (the Fan): a "switch" namespace with a bridge, and per member a namespace joined to it by a veth
 * pair, with `192.168.0.<10+i>/16` on its end. Names carry a run id; `destroy()` deletes every
 * namespace (which removes their interfaces), whatever state a failed test left them in.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface UnderlayHost {
  netns: string;
  address: string;
  /** The member's underlay interface in its namespace. */
  device: string;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

export class NetnsUnderlay {
  readonly hosts: UnderlayHost[] = [];
  private readonly namespaces: string[] = [];

  private constructor(private readonly runId: string) {}

  static create(n: number): NetnsUnderlay {
    const u = new NetnsUnderlay(randomBytes(2).toString('hex'));
    try {
      const sw = u.add(`cbsw-${u.runId}`);
      ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', sw, 'link', 'set', 'br0', 'up');
      for (let i = 0; i < n; i++) u.addHost(i);
    } catch (err) {
      u.destroy();
      throw err;
    }
    return u;
  }

  /** Another host on the same underlay (e.g. a member that joins later). */
  addHost(i: number): UnderlayHost {
    const sw = `cbsw-${this.runId}`;
    const ns = this.add(`cbm${i + 1}-${this.runId}`);
    const outer = `cbv${i + 1}${this.runId}`;
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', outer, 'netns', sw);
    ip('-n', sw, 'link', 'set', outer, 'master', 'br0');
    ip('-n', sw, 'link', 'set', outer, 'up');
    const address = `192.168.0.${10 + i + 1}`;
    ip('-n', ns, 'address', 'add', `${address}/16`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    const host = { netns: ns, address, device: 'eth0' };
    this.hosts.push(host);
    return host;
  }

  /** Runs `ip` in a member's namespace and returns its output. */
  ipIn(netns: string, ...args: string[]): string {
    return execFileSync('ip', ['-n', netns, ...args], { encoding: 'utf8', timeout: 10_000 });
  }

  destroy(): void {
    for (const ns of [...this.namespaces].reverse()) {
      try {
        ip('netns', 'delete', ns);
      } catch {
        // already gone
      }
    }
    this.namespaces.length = 0;
  }

  private add(name: string): string {
    ip('netns', 'add', name);
    this.namespaces.push(name);
    return name;
  }
}
