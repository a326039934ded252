/**
 * The Fan overlay end to end: each member daemon runs in its own network namespace on a
 * 192.168.0.0/16 underlay (test/e2e/support/netns-underlay.ts), a 3-member cluster creates a Fan
 * network with the real `lxc` client, and containers launched on different members ping each other
 * over it (iputils ping in the containers' network namespaces): the 1450-byte MTU carries a 1422-byte
 * payload with DF but not 1423. A 4th member that joins gets the network and is reachable from all;
 * a removed member's entries disappear everywhere; deleting the network removes everything it made.
 * Everything is torn down after the test, also on failure. Needs root and `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBusyboxTarball, DEFAULT_POOL_PRESEED } from './support/container-fixtures';
import { DaemonCluster } from './support/daemon-cluster';
import { run } from './support/member-process';
import { NetnsUnderlay } from './support/netns-underlay';

jest.setTimeout(300_000);

const LXC = '/usr/bin/lxc';
const runId = Math.random().toString(36).slice(2, 6);
const name = (base: string) => `${base}-${runId}`;


/** `ping` from inside a container's network namespace: true when the reply came. */
function ping(pid: number, address: string, size = 56): boolean {
  try {
    execFileSync('nsenter', ['-t', String(pid), '-n', 'ping', '-c', '1', '-W', '2', '-M', 'do', '-s', String(size), address], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

describe('the Fan overlay across members in their own network namespaces', () => {
  let underlay: NetnsUnderlay;
  let c: DaemonCluster;
  let scratch: string;
  const lxc = (i: number, ...args: string[]) => run(LXC, args, c.member(i).clientEnv, undefined, 120_000);
  const container = async (i: number, n: string) => {
    const inst = await c.member(i).api<{ config: Record<string, string>; location: string }>('GET', `/1.0/instances/${n}`);
    const state = await c.member(i).api<{ pid: number }>('GET', `/1.0/instances/${n}/state`);
    return { address: inst.config['volatile.eth0.ipv4.address'], pid: state.pid, location: inst.location };
  };

  beforeAll(async () => {
    if (!fs.existsSync(LXC)) throw new Error(`${LXC} is missing: install Debian's lxd-client`);
    underlay = NetnsUnderlay.create(4);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-fan-'));
    const imageFile = await buildBusyboxTarball(scratch);
    c = await DaemonCluster.create(4, {}, underlay.hosts);
    await c.startAll();
    const r = await c.init(0, `config:\n  core.https_address: "${c.addresses[0]}"\n  core.trust_password: sekret\n${DEFAULT_POOL_PRESEED}cluster:\n  server_name: m1\n  enabled: true\n`);
    if (r.code !== 0) throw new Error(`bootstrap failed: ${r.stderr}\n${c.member(0).log}`);
    await c.joinWithToken(1, 0);
    await c.joinWithToken(2, 0);
    const imported = await lxc(0, 'image', 'import', imageFile, '--alias', 'bb');
    if (imported.code !== 0) throw new Error(`image import failed: ${imported.stderr}`);
  });

  afterAll(async () => {
    try {
      await c?.destroy();
    } finally {
      underlay?.destroy();
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('creates a Fan network cluster-wide: per-member pending, then global', async () => {
    for (const m of ['m1', 'm2', 'm3']) expect(await lxc(0, 'network', 'create', 'fan0', '--target', m)).toMatchObject({ code: 0 });
    const pending = await c.member(1).api<{ status: string }>('GET', '/1.0/networks/fan0');
    expect(pending.status).toBe('Pending');
    expect(await lxc(0, 'network', 'create', 'fan0', 'bridge.mode=fan', 'ipv4.nat=true')).toMatchObject({ code: 0 });
    const created = await c.member(2).api<{ status: string; locations: string[]; config: Record<string, string> }>('GET', '/1.0/networks/fan0');
    expect(created).toMatchObject({ status: 'Created', config: { 'bridge.mode': 'fan', 'ipv4.nat': 'true' } });
    expect([...created.locations].sort()).toEqual(['m1', 'm2', 'm3']);
    // Each member's bridge holds its /24 of 240.0.0.0/8 (192.168.0.11 → 240.0.11.1).
    for (const [i, host] of underlay.hosts.slice(0, 3).entries()) {
      const addr = JSON.parse(underlay.ipIn(host.netns, '-j', 'addr', 'show', 'dev', 'fan0'))[0];
      expect(addr.mtu).toBe(1450);
      expect(addr.addr_info.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`)).toEqual([`240.0.${11 + i}.1/8`]);
      const vxlan = JSON.parse(underlay.ipIn(host.netns, '-j', '-d', 'link', 'show', 'dev', 'fan0-fan'))[0];
      // VNI: the overlay's address >> 8.
      expect(vxlan.linkinfo.info_data).toMatchObject({ id: 240 << 16, port: 8472, local: host.address, learning: false });
    }
    // ipv4.nat: traffic from the member subnet leaving through the underlay is masqueraded.
    const nat = execFileSync('ip', ['netns', 'exec', underlay.hosts[0].netns, 'nft', 'list', 'table', 'ip', 'cubed-fan-fan0'], { encoding: 'utf8' });
    expect(nat).toMatch(/ip saddr 240\.0\.11\.0\/24 .*masquerade/);
    const bad = await lxc(0, 'network', 'create', 'fan1', 'bridge.mode=fan', 'fan.overlay_subnet=240.0.0.0/12');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/overlay must be a \/8 or \/16/);
    // Edits without If-Match, several at once through different members: each one is kept.
    const edits = await Promise.all(Array.from({ length: 6 }, (_, i) => c.member(i % 3).request('PATCH', '/1.0/networks/fan0', { config: { [`user.k${i}`]: String(i) } })));
    expect(edits.map((r) => r.status)).toEqual(Array(6).fill(200));
    const edited = await c.member(1).api<{ config: Record<string, string> }>('GET', '/1.0/networks/fan0');
    expect(Object.keys(edited.config).filter((k) => k.startsWith('user.k'))).toHaveLength(6);
    expect(await lxc(2, 'network', 'get', 'fan0', 'user.k3')).toMatchObject({ code: 0, stdout: '3\n' });
  });

  it('lets containers on different members ping each other over the overlay, with a 1450-byte MTU', async () => {
    const names = [name('f1'), name('f2'), name('f3')];
    for (const [i, n] of names.entries()) expect(await lxc(i, 'launch', 'bb', n, '--target', `m${i + 1}`, '-n', 'fan0')).toMatchObject({ code: 0 });
    const cs = await Promise.all(names.map((n, i) => container(i, n)));
    cs.forEach((x, i) => expect(x.address).toBe(`240.0.${11 + i}.2`));
    for (const a of cs) for (const b of cs) if (a !== b) expect(ping(a.pid, b.address)).toBe(true);
    expect(ping(cs[0].pid, cs[1].address, 1422)).toBe(true);
    expect(ping(cs[0].pid, cs[1].address, 1423)).toBe(false);
    const listed = await lxc(1, 'list', '--format', 'csv', '-c', 'n4');
    expect(listed.stdout).toContain(`${names[0]},240.0.11.2 (eth0)`);
  });

  it('gives a member that joins the network, and makes it reachable from all', async () => {
    await c.joinWithToken(3, 1);
    const n4 = name('f4');
    await c.waitFor(async () => ((await lxc(3, 'launch', 'bb', n4, '--target', 'm4', '-n', 'fan0')).code === 0 ? true : undefined), 30_000, 'a launch on m4');
    const c4 = await container(3, n4);
    expect(c4.address).toBe('240.0.14.2');
    const others = await Promise.all([name('f1'), name('f2'), name('f3')].map((n, i) => container(i, n)));
    await c.waitFor(async () => (others.every((o) => ping(o.pid, c4.address) && ping(c4.pid, o.address)) ? true : undefined), 20_000, 'pings to and from m4');
  });

  it('removes a member\'s entries everywhere when it leaves', async () => {
    expect(await lxc(0, 'delete', '-f', name('f2'))).toMatchObject({ code: 0 });
    expect(await lxc(0, 'cluster', 'remove', 'm2')).toMatchObject({ code: 0 });
    const peerRoute = (netns: string) => underlay.ipIn(netns, 'route', 'show', '240.0.12.0/24');
    await c.waitFor(async () => ([0, 2, 3].every((i) => peerRoute(underlay.hosts[i].netns).trim() === '') ? true : undefined), 20_000, 'm2\'s route gone from the others');
    for (const i of [0, 2, 3]) expect(underlay.ipIn(underlay.hosts[i].netns, 'neigh', 'show', 'dev', 'fan0-fan')).not.toContain('240.0.12.0');
    // m2 is standalone now: its own Fan devices are gone.
    await c.waitFor(async () => (underlay.ipIn(underlay.hosts[1].netns, 'link', 'show').includes('fan0') ? undefined : true), 20_000, 'fan0 gone from m2');
  });

  it('removes everything the network made when it is deleted', async () => {
    const inUse = await lxc(0, 'network', 'delete', 'fan0');
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/in use/);
    for (const [i, n] of [[0, 'f1'], [2, 'f3'], [3, 'f4']] as const) expect(await lxc(i, 'delete', '-f', name(n))).toMatchObject({ code: 0 });
    expect(await lxc(0, 'network', 'delete', 'fan0')).toMatchObject({ code: 0 });
    for (const i of [0, 2, 3]) {
      const ns = underlay.hosts[i].netns;
      expect(underlay.ipIn(ns, 'link', 'show')).not.toMatch(/fan0/);
      expect(underlay.ipIn(ns, 'route', 'show', 'proto', '250')).toBe('');
    }
  });
});
