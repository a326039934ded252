/**
 * The Fan overlay across simulated hosts, as root, entirely inside network namespaces created
 * for this run: an underlay "switch" namespace with a bridge, one namespace per host with a veth
 * to the switch carrying its underlay address, one "container" namespace per host with a veth
 * into the host's Fan bridge, and one "external" namespace on the underlay that is not a member
 * (for NAT). The reconciler runs for hosts 1-3 in this process with a runner that prefixes every
 * command with `ip netns exec <host>`, and for host 4 as a separate node process started inside
 * the host's namespace with no namespace given to the library, as the daemon will run.
 */
import * as path from 'node:path';
import {
  allocateFanAddress,
  FanApplyReport,
  FanMember,
  FanMemberMapping,
  fanLayout,
  fanNetworkConfig,
  FanNetworkConfig,
  FanReconcileRequest,
  FanReconciler,
  mapFanMember,
  resolveUnderlaySubnet,
} from '@app/fan-network';
import { InNamespaceReconciler } from './in-namespace-reconciler';
import { NetnsLab } from './netns-lab';

const DF_PROBE = path.join(__dirname, 'icmp-df-probe.py');
const UNDERLAY_PREFIX = 16;
const EXTERNAL_ADDRESS = '192.168.3.1';

interface HostReconciler {
  reconcile(request: FanReconcileRequest): Promise<FanApplyReport>;
  teardown(network: FanNetworkConfig): Promise<FanApplyReport>;
}

interface SimulatedHost {
  readonly member: FanMember;
  readonly index: number;
  readonly namespace: string;
  readonly reconciler: HostReconciler;
  readonly mapping: FanMemberMapping;
  container?: { namespace: string; address: string };
}

interface LinkJson {
  ifname: string;
}
interface RouteJson {
  dst: string;
  dev?: string;
  protocol?: string;
}
interface NeighJson {
  dst: string;
  lladdr?: string;
  state?: string[];
}
interface FdbJson {
  mac: string;
  ifname?: string;
  dst?: string;
}

describe('Fan overlay across simulated hosts (network namespaces, root)', () => {
  const lab = new NetnsLab();
  const p = lab.devicePrefix;
  const network: FanNetworkConfig = fanNetworkConfig({ bridgeName: `${p}br`, vxlanName: `${p}vx`, nat: true });
  const hosts = new Map<string, SimulatedHost>();
  /** Container addresses recorded so far, as the daemon would keep them in its database. */
  const allocated: string[] = [];
  let switchNamespace = '';
  let externalNamespace = '';
  let libraryDir = '';

  const members = (): FanMember[] => [...hosts.values()].map((h) => h.member);

  async function addHost(name: string, index: number, underlayAddress: string, inside = false): Promise<SimulatedHost> {
    const namespace = await lab.addNamespace(`h${index}`);
    await lab.addVeth(namespace, `${p}u${index}`, switchNamespace, `${p}s${index}`);
    await lab.ip(switchNamespace, 'link', 'set', 'dev', `${p}s${index}`, 'master', `${p}sw`, 'up');
    await lab.ip(namespace, 'address', 'add', `${underlayAddress}/${UNDERLAY_PREFIX}`, 'dev', `${p}u${index}`);
    await lab.ip(namespace, 'link', 'set', 'dev', `${p}u${index}`, 'up');
    const member = { name, underlayAddress };
    const layout = fanLayout(network.overlaySubnet, resolveUnderlaySubnet('auto', underlayAddress, UNDERLAY_PREFIX));
    const host: SimulatedHost = {
      member,
      index,
      namespace,
      reconciler: inside ? InNamespaceReconciler.in(libraryDir, namespace) : new FanReconciler(lab.runner(namespace)),
      mapping: mapFanMember(layout, member),
    };
    hosts.set(name, host);
    return host;
  }

  async function addContainer(host: SimulatedHost): Promise<void> {
    const namespace = await lab.addNamespace(`c${host.index}`);
    const inside = `${p}e${host.index}`;
    const outside = `${p}v${host.index}`;
    await lab.addVeth(namespace, inside, host.namespace, outside, 1450);
    await lab.ip(host.namespace, 'link', 'set', 'dev', outside, 'master', network.bridgeName, 'up');
    const address = allocateFanAddress(host.mapping.subnet, allocated);
    allocated.push(address);
    const { addressPrefixLength, overlayBroadcast, bridgeAddress } = host.mapping;
    await lab.ip(namespace, 'address', 'add', `${address}/${addressPrefixLength}`, 'broadcast', overlayBroadcast, 'dev', inside);
    await lab.ip(namespace, 'link', 'set', 'dev', inside, 'up');
    await lab.ip(namespace, 'route', 'add', 'default', 'via', bridgeAddress);
    host.container = { namespace, address };
  }

  async function reconcileAll(list: FanMember[] = members()) {
    const reports = await Promise.all(
      [...hosts.values()].map(async (h) => ({ host: h.member.name, report: await h.reconciler.reconcile({ network, members: list, self: h.member.name }) })),
    );
    return new Map(reports.map((r) => [r.host, r.report]));
  }

  function containerOf(host: SimulatedHost): { namespace: string; address: string } {
    if (!host.container) throw new Error(`host ${host.member.name} has no container`);
    return host.container;
  }

  async function ping(fromNamespace: string, address: string, count = 3): Promise<boolean> {
    const result = await lab.run(fromNamespace, 'busybox', 'ping', '-c', String(count), '-W', '1', '-w', String(count + 1), address);
    return result.exitCode === 0;
  }

  /** Pings every container from every other one and from its own gateway side; returns what failed. */
  async function meshFailures(): Promise<string[]> {
    const list = [...hosts.values()];
    const attempts: Promise<string | undefined>[] = [];
    for (const from of list) {
      const source = containerOf(from);
      attempts.push(ping(source.namespace, from.mapping.bridgeAddress).then((ok) => (ok ? undefined : `${from.member.name} → own bridge`)));
      for (const to of list) {
        if (to === from) continue;
        const target = containerOf(to).address;
        attempts.push(ping(source.namespace, target).then((ok) => (ok ? undefined : `${from.member.name} → ${to.member.name} (${target})`)));
      }
    }
    return (await Promise.all(attempts)).filter((f): f is string => f !== undefined);
  }

  async function dfProbe(fromNamespace: string, address: string, payload: number) {
    return lab.run(fromNamespace, 'python3', DF_PROBE, address, String(payload), '3', '1', '4');
  }

  async function peerEntries(host: SimulatedHost, peer: FanMemberMapping) {
    const routes = await lab.ipJson<RouteJson>(host.namespace, 'route', 'show', 'table', 'main', 'proto', String(network.routeProtocol));
    const neighbours = await lab.ipJson<NeighJson>(host.namespace, 'neigh', 'show', 'dev', network.vxlanName);
    const fdbText = await lab.run(host.namespace, 'bridge', '-j', 'fdb', 'show', 'dev', network.vxlanName);
    const fdb = JSON.parse(fdbText.stdout || '[]') as FdbJson[];
    return {
      route: routes.some((r) => r.dst === peer.subnet),
      neighbour: neighbours.some((n) => n.dst === peer.vtepAddress),
      fdb: fdb.some((f) => f.mac === peer.vtepMac || f.dst === peer.underlayAddress),
    };
  }

  beforeAll(async () => {
    if (process.getuid?.() !== 0) {
      throw new Error('this test creates network namespaces and must run as root');
    }
    NetnsLab.removeAbandoned();
    libraryDir = InNamespaceReconciler.compileLibrary();
    switchNamespace = await lab.addNamespace('ul');
    await lab.ip(switchNamespace, 'link', 'add', 'name', `${p}sw`, 'type', 'bridge');
    await lab.ip(switchNamespace, 'link', 'set', 'dev', `${p}sw`, 'up');
    externalNamespace = await lab.addNamespace('ext');
    await lab.addVeth(externalNamespace, `${p}x0`, switchNamespace, `${p}sx`);
    await lab.ip(switchNamespace, 'link', 'set', 'dev', `${p}sx`, 'master', `${p}sw`, 'up');
    await lab.ip(externalNamespace, 'address', 'add', `${EXTERNAL_ADDRESS}/${UNDERLAY_PREFIX}`, 'dev', `${p}x0`);
    await lab.ip(externalNamespace, 'link', 'set', 'dev', `${p}x0`, 'up');
    await addHost('h1', 1, '192.168.0.46');
    await addHost('h2', 2, '192.168.0.47');
    await addHost('h3', 3, '192.168.1.48');
  }, 30_000);

  afterAll(async () => {
    if (libraryDir) InNamespaceReconciler.removeLibrary(libraryDir);
    await lab.destroy();
  }, 30_000);

  it('maps the hosts like the Fan: 240.<underlay host bits>.0/24', () => {
    expect([...hosts.values()].map((h) => h.mapping.subnet)).toEqual(['240.0.46.0/24', '240.0.47.0/24', '240.1.48.0/24']);
  });

  it('with three hosts reconciled, every container reaches every other one', async () => {
    const reports = await reconcileAll();
    for (const report of reports.values()) {
      expect(report.changes.map((c) => c.kind)).toEqual(expect.arrayContaining(['create-bridge', 'create-vxlan', 'replace-route']));
    }
    for (const host of hosts.values()) await addContainer(host);
    expect([...hosts.values()].map((h) => containerOf(h).address)).toEqual(['240.0.46.2', '240.0.47.2', '240.1.48.2']);
    expect(await meshFailures()).toEqual([]);
  }, 30_000);

  it('carries a 1450-byte packet with DF across hosts and refuses 1451 bytes', async () => {
    const from = containerOf(hosts.get('h1') as SimulatedHost).namespace;
    const to = containerOf(hosts.get('h3') as SimulatedHost).address;
    const fits = await dfProbe(from, to, 1422);
    expect({ exitCode: fits.exitCode, output: fits.stdout.trim() }).toEqual({ exitCode: 0, output: expect.stringContaining('reply') });
    const tooBig = await dfProbe(from, to, 1423);
    expect({ exitCode: tooBig.exitCode, output: tooBig.stdout.trim() }).toEqual({
      exitCode: 2,
      output: expect.stringContaining('message too long'),
    });
  }, 20_000);

  it('masquerades container traffic to non-overlay addresses only while ipv4.nat is on', async () => {
    const h1 = hosts.get('h1') as SimulatedHost;
    const c1 = containerOf(h1).namespace;
    expect(await ping(c1, EXTERNAL_ADDRESS)).toBe(true);

    const withoutNat = await h1.reconciler.reconcile({ network: { ...network, nat: false }, members: members(), self: 'h1' });
    expect(withoutNat.changes).toEqual([{ kind: 'delete-nat', table: `cubed-fan-${network.bridgeName}` }]);
    expect(await ping(c1, EXTERNAL_ADDRESS, 1)).toBe(false);

    const withNat = await h1.reconciler.reconcile({ network, members: members(), self: 'h1' });
    expect(withNat.changes.map((c) => c.kind)).toEqual(['apply-nat']);
    expect(await ping(c1, EXTERNAL_ADDRESS)).toBe(true);
  }, 30_000);

  it('a second reconcile changes nothing', async () => {
    const reports = await reconcileAll();
    expect([...reports.values()].map((r) => r.changes)).toEqual([[], [], []]);
  }, 20_000);

  it('converges from hand-made damage and stale entries', async () => {
    const h1 = hosts.get('h1') as SimulatedHost;
    const h2 = hosts.get('h2') as SimulatedHost;
    const ns = h1.namespace;
    const vx = network.vxlanName;
    await lab.run(ns, 'bridge', 'fdb', 'del', h2.mapping.vtepMac, 'dev', vx, 'dst', h2.member.underlayAddress, 'self');
    await lab.ip(ns, 'link', 'set', 'dev', network.bridgeName, 'mtu', '1400');
    await lab.ip(ns, 'link', 'set', 'dev', vx, 'mtu', '1300');
    await lab.run(ns, 'bridge', 'fdb', 'append', '0e:fa:c0:a8:09:09', 'dev', vx, 'dst', '192.168.9.9', 'self', 'permanent');
    await lab.ip(ns, 'neigh', 'replace', '240.9.9.0', 'lladdr', '0e:fa:c0:a8:09:09', 'dev', vx, 'nud', 'permanent');
    await lab.ip(ns, 'route', 'replace', '240.9.9.0/24', 'via', '240.9.9.0', 'dev', vx, 'onlink', 'proto', String(network.routeProtocol));
    await lab.ip(ns, 'route', 'add', '240.8.8.0/24', 'via', '240.8.8.0', 'dev', vx, 'onlink');

    const report = await h1.reconciler.reconcile({ network, members: members(), self: 'h1' });
    expect(report.changes).toEqual([
      { kind: 'set-link', name: network.bridgeName, mtu: 1450 },
      { kind: 'set-link', name: vx, mtu: 1450 },
      { kind: 'delete-route', device: vx, destination: '240.9.9.0/24', protocol: network.routeProtocol, metric: 0 },
      { kind: 'delete-neighbour', device: vx, address: '240.9.9.0' },
      { kind: 'delete-fdb', device: vx, mac: '0e:fa:c0:a8:09:09', dst: '192.168.9.9' },
      { kind: 'replace-fdb', device: vx, mac: h2.mapping.vtepMac, dst: h2.member.underlayAddress },
    ]);
    // A route the network does not own (another protocol) is left in place.
    const routes = await lab.ipJson<RouteJson>(ns, 'route', 'show', '240.8.8.0/24');
    expect(routes.map((r) => r.dst)).toEqual(['240.8.8.0/24']);
    await lab.ip(ns, 'route', 'delete', '240.8.8.0/24');
    expect(await ping(containerOf(h1).namespace, containerOf(h2).address)).toBe(true);
  }, 20_000);

  it('follows a peer whose underlay address changed, and back', async () => {
    const h1 = hosts.get('h1') as SimulatedHost;
    const h3 = hosts.get('h3') as SimulatedHost;
    const moved = members().map((m) => (m.name === 'h3' ? { name: 'h3', underlayAddress: '192.168.1.99' } : m));
    const away = await h1.reconciler.reconcile({ network, members: moved, self: 'h1' });
    expect(away.changes.map((c) => c.kind)).toEqual([
      'delete-route',
      'delete-neighbour',
      'delete-fdb',
      'replace-fdb',
      'replace-neighbour',
      'replace-route',
    ]);
    expect(await peerEntries(h1, h3.mapping)).toEqual({ route: false, neighbour: false, fdb: false });
    const back = await h1.reconciler.reconcile({ network, members: members(), self: 'h1' });
    expect(back.changes.map((c) => c.kind)).toEqual(away.changes.map((c) => c.kind));
    expect(await ping(containerOf(h1).namespace, containerOf(h3).address)).toBe(true);
  }, 20_000);

  it('a fourth host, reconciled from a process inside its namespace, joins and is reachable from all', async () => {
    await addHost('h4', 4, '192.168.2.49', true);
    const reports = await reconcileAll();
    expect((reports.get('h1')?.changes ?? []).map((c) => c.kind)).toEqual(['replace-fdb', 'replace-neighbour', 'replace-route']);
    expect((reports.get('h4')?.changes ?? []).map((c) => c.kind)).toEqual(
      expect.arrayContaining(['create-bridge', 'create-vxlan', 'replace-fdb', 'replace-neighbour', 'replace-route', 'apply-nat']),
    );
    await addContainer(hosts.get('h4') as SimulatedHost);
    expect(containerOf(hosts.get('h4') as SimulatedHost).address).toBe('240.2.49.2');
    expect(await meshFailures()).toEqual([]);
  }, 30_000);

  it('host 2 leaves: its entries are gone everywhere and the others still reach each other', async () => {
    const h2 = hosts.get('h2') as SimulatedHost;
    const remaining = members().filter((m) => m.name !== 'h2');
    const teardown = await h2.reconciler.teardown(network);
    expect(teardown.changes.length).toBeGreaterThan(0);
    await lab.deleteNamespace(containerOf(h2).namespace, [{ namespace: h2.namespace, device: `${p}v2` }]);
    await lab.deleteNamespace(h2.namespace, [{ namespace: switchNamespace, device: `${p}s2` }]);
    hosts.delete('h2');

    const reports = await reconcileAll(remaining);
    for (const report of reports.values()) {
      expect(report.changes.map((c) => c.kind)).toEqual(['delete-route', 'delete-neighbour', 'delete-fdb']);
    }
    for (const host of hosts.values()) {
      expect(await peerEntries(host, h2.mapping)).toEqual({ route: false, neighbour: false, fdb: false });
    }
    expect(await meshFailures()).toEqual([]);

    const again = await reconcileAll(remaining);
    expect([...again.values()].map((r) => r.changes)).toEqual([[], [], []]);
  }, 30_000);

  it('teardown removes everything the network created and nothing else', async () => {
    for (const host of hosts.values()) {
      const report = await host.reconciler.teardown(network);
      expect(report.changes.map((c) => c.kind)).toEqual(
        expect.arrayContaining(['delete-route', 'delete-neighbour', 'delete-fdb', 'delete-nat', 'delete-link']),
      );
      const again = await host.reconciler.teardown(network);
      expect(again.changes).toEqual([]);

      const links = await lab.ipJson<LinkJson>(host.namespace, 'link', 'show');
      expect(links.map((l) => l.ifname).sort()).toEqual(['lo', `${p}u${host.index}`, `${p}v${host.index}`].sort());
      const routes = await lab.ipJson<RouteJson>(host.namespace, 'route', 'show', 'table', 'all');
      expect(routes.filter((r) => r.dst.startsWith('240.') || r.protocol === String(network.routeProtocol))).toEqual([]);
      const neighbours = await lab.ipJson<NeighJson>(host.namespace, 'neigh', 'show');
      expect(neighbours.filter((n) => n.state?.includes('PERMANENT'))).toEqual([]);
      const tables = await lab.run(host.namespace, 'nft', 'list', 'tables');
      expect(tables.stdout).not.toContain(`cubed-fan-${network.bridgeName}`);
      // The underlay and the container's veth end, which the network did not create, are intact.
      const underlay = await lab.ipJson<{ addr_info: { local: string }[] }>(host.namespace, 'address', 'show', 'dev', `${p}u${host.index}`);
      expect(underlay[0].addr_info.map((a) => a.local)).toContain(host.member.underlayAddress);
    }
  }, 30_000);
});
