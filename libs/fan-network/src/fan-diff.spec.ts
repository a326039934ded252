import type { FanChange } from './fan-change';
import { diffFanState, diffFanTeardown } from './fan-diff';
import { FanHostStateError } from './fan-errors';
import type { FanActualState } from './fan-state';
import { convergedActual, emptyActual, TEST_MEMBERS, TEST_NETWORK, testPlan } from './test-fixtures';

const desired = testPlan();
const converged = convergedActual(desired);

function kinds(changes: readonly FanChange[]): string[] {
  return changes.map((c) => c.kind);
}

describe('diffFanState', () => {
  it('finds nothing to do on a converged host', () => {
    expect(diffFanState(desired, converged)).toEqual([]);
  });

  it('builds everything on an empty host, devices before peers, fdb → neighbour → route', () => {
    const changes = diffFanState(desired, emptyActual());
    expect(changes).toEqual([
      { kind: 'set-sysctl', key: 'net.ipv4.ip_forward', value: '1' },
      { kind: 'create-bridge', name: 'fan0', mac: '0e:fb:c0:a8:00:2e', mtu: 1450 },
      { kind: 'set-link', name: 'fan0', mtu: 1450, up: true },
      { kind: 'add-address', device: 'fan0', cidr: '240.0.46.1/8', broadcast: '240.255.255.255' },
      {
        kind: 'create-vxlan',
        name: 'fan0-vx',
        mac: '0e:fa:c0:a8:00:2e',
        mtu: 1450,
        vni: 15728640,
        port: 8472,
        local: '192.168.0.46',
        device: 'eth0',
        ttl: 64,
      },
      { kind: 'set-link', name: 'fan0-vx', up: true },
      { kind: 'add-address', device: 'fan0-vx', cidr: '240.0.46.0/32' },
      { kind: 'set-sysctl', key: 'net.ipv4.conf.fan0.proxy_arp', value: '1' },
      { kind: 'set-sysctl', key: 'net.ipv4.neigh.fan0.proxy_delay', value: '0' },
      { kind: 'set-sysctl', key: 'net.ipv4.conf.fan0.rp_filter', value: '2' },
      { kind: 'set-sysctl', key: 'net.ipv4.conf.fan0-vx.rp_filter', value: '2' },
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:01:30', dst: '192.168.1.48' },
      { kind: 'replace-neighbour', device: 'fan0-vx', address: '240.0.47.0', mac: '0e:fa:c0:a8:00:2f' },
      { kind: 'replace-neighbour', device: 'fan0-vx', address: '240.1.48.0', mac: '0e:fa:c0:a8:01:30' },
      { kind: 'replace-route', device: 'fan0-vx', destination: '240.0.47.0/24', gateway: '240.0.47.0', protocol: 250 },
      { kind: 'replace-route', device: 'fan0-vx', destination: '240.1.48.0/24', gateway: '240.1.48.0', protocol: 250 },
      { kind: 'apply-nat', table: 'cubed-fan-fan0', rule: desired.nat?.rule },
    ]);
  });

  it('restores only a hand-deleted fdb entry', () => {
    const actual: FanActualState = { ...converged, fdb: converged.fdb.filter((f) => f.dst !== '192.168.0.47') };
    expect(diffFanState(desired, actual)).toEqual([
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
    ]);
  });

  it('repoints an fdb entry whose destination is wrong, and replaces non-permanent or foreign-port entries', () => {
    const actual: FanActualState = {
      ...converged,
      fdb: [
        { mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.99', permanent: true },
        { mac: '0e:fa:c0:a8:01:30', dst: '192.168.1.48', permanent: true, port: 4789 },
      ],
    };
    expect(diffFanState(desired, actual)).toEqual([
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:01:30', dst: '192.168.1.48' },
    ]);
  });

  it('repairs a wrong neighbour MAC, a non-permanent neighbour and a route without onlink', () => {
    const actual: FanActualState = {
      ...converged,
      neighbours: [
        { address: '240.0.47.0', mac: '0e:fa:00:00:00:01', permanent: true },
        { address: '240.1.48.0', mac: '0e:fa:c0:a8:01:30', permanent: false },
      ],
      routes: [
        { destination: '240.0.47.0/24', gateway: '240.0.47.0', device: 'fan0-vx', onlink: false, metric: 0 },
        { destination: '240.1.48.0/24', gateway: '240.1.48.0', device: 'fan0-vx', onlink: true, metric: 0 },
      ],
    };
    expect(kinds(diffFanState(desired, actual))).toEqual(['replace-neighbour', 'replace-neighbour', 'replace-route']);
  });

  it('removes a stale peer route → neighbour → fdb, before adding anything', () => {
    const stale = testPlan([...TEST_MEMBERS, { name: 'n4', underlayAddress: '192.168.2.49' }]);
    const actual = convergedActual(stale);
    const withNewPeer = testPlan([TEST_MEMBERS[0], TEST_MEMBERS[1], { name: 'n5', underlayAddress: '192.168.3.50' }]);
    expect(diffFanState(withNewPeer, actual)).toEqual([
      { kind: 'delete-route', device: 'fan0-vx', destination: '240.1.48.0/24', protocol: 250, metric: 0 },
      { kind: 'delete-route', device: 'fan0-vx', destination: '240.2.49.0/24', protocol: 250, metric: 0 },
      { kind: 'delete-neighbour', device: 'fan0-vx', address: '240.1.48.0' },
      { kind: 'delete-neighbour', device: 'fan0-vx', address: '240.2.49.0' },
      { kind: 'delete-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:01:30', dst: '192.168.1.48' },
      { kind: 'delete-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:02:31', dst: '192.168.2.49' },
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:03:32', dst: '192.168.3.50' },
      { kind: 'replace-neighbour', device: 'fan0-vx', address: '240.3.50.0', mac: '0e:fa:c0:a8:03:32' },
      { kind: 'replace-route', device: 'fan0-vx', destination: '240.3.50.0/24', gateway: '240.3.50.0', protocol: 250 },
    ]);
  });

  it('replaces a peer whose underlay address changed', () => {
    const moved = testPlan([TEST_MEMBERS[0], TEST_MEMBERS[1], { name: 'n3', underlayAddress: '192.168.1.99' }]);
    expect(diffFanState(moved, converged)).toEqual([
      { kind: 'delete-route', device: 'fan0-vx', destination: '240.1.48.0/24', protocol: 250, metric: 0 },
      { kind: 'delete-neighbour', device: 'fan0-vx', address: '240.1.48.0' },
      { kind: 'delete-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:01:30', dst: '192.168.1.48' },
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:01:63', dst: '192.168.1.99' },
      { kind: 'replace-neighbour', device: 'fan0-vx', address: '240.1.99.0', mac: '0e:fa:c0:a8:01:63' },
      { kind: 'replace-route', device: 'fan0-vx', destination: '240.1.99.0/24', gateway: '240.1.99.0', protocol: 250 },
    ]);
  });

  it('leaves non-permanent neighbours alone, and deletes an owned route with another metric', () => {
    const actual: FanActualState = {
      ...converged,
      neighbours: [...converged.neighbours, { address: '240.9.9.9', permanent: false }],
      routes: [...converged.routes, { destination: '240.0.47.0/24', gateway: '240.0.47.0', device: 'fan0-vx', onlink: true, metric: 5 }],
    };
    expect(diffFanState(desired, actual)).toEqual([
      { kind: 'delete-route', device: 'fan0-vx', destination: '240.0.47.0/24', protocol: 250, metric: 5 },
    ]);
  });

  it('deletes the head-end (all-zero MAC) entries that l2 mode would use', () => {
    const actual: FanActualState = {
      ...converged,
      fdb: [...converged.fdb, { mac: '00:00:00:00:00:00', dst: '192.168.0.47', permanent: true }],
    };
    expect(diffFanState(desired, actual)).toEqual([
      { kind: 'delete-fdb', device: 'fan0-vx', mac: '00:00:00:00:00:00', dst: '192.168.0.47' },
    ]);
  });

  it('fixes bridge MAC, MTU and state, and swaps a stale address out before adding the new one', () => {
    const actual: FanActualState = {
      ...converged,
      bridge: {
        ...(converged.bridge as NonNullable<FanActualState['bridge']>),
        mac: '0e:fb:c0:a8:00:99',
        mtu: 1500,
        up: false,
        addresses: [{ cidr: '240.0.99.1/8', broadcast: '240.255.255.255' }],
      },
    };
    expect(diffFanState(desired, actual)).toEqual([
      { kind: 'set-link', name: 'fan0', mac: '0e:fb:c0:a8:00:2e', mtu: 1450, up: true },
      { kind: 'delete-address', device: 'fan0', cidr: '240.0.99.1/8' },
      { kind: 'add-address', device: 'fan0', cidr: '240.0.46.1/8', broadcast: '240.255.255.255' },
    ]);
  });

  it('re-adds an address whose broadcast is missing', () => {
    const actual: FanActualState = {
      ...converged,
      bridge: { ...(converged.bridge as NonNullable<FanActualState['bridge']>), addresses: [{ cidr: '240.0.46.1/8' }] },
    };
    expect(diffFanState(desired, actual)).toEqual([
      { kind: 'add-address', device: 'fan0', cidr: '240.0.46.1/8', broadcast: '240.255.255.255' },
    ]);
  });

  it('detaches the vxlan device from a bridge it was enslaved to', () => {
    const actual: FanActualState = { ...converged, vxlan: { ...(converged.vxlan as NonNullable<FanActualState['vxlan']>), master: 'fan0' } };
    expect(diffFanState(desired, actual)).toEqual([{ kind: 'set-link', name: 'fan0-vx', noMaster: true }]);
  });

  it.each([
    ['VNI', { vni: 42 }],
    ['local address', { local: '192.168.0.99' }],
    ['underlay device', { device: 'eth1' }],
    ['port', { port: 4789 }],
    ['learning', { learning: true }],
    ['ttl', { ttl: 0 }],
  ])('recreates the vxlan device when its %s differs, with all its peers and sysctls', (_what, change) => {
    const vx = converged.vxlan as NonNullable<FanActualState['vxlan']>;
    const actual: FanActualState = { ...converged, vxlan: { ...vx, vxlan: { ...(vx.vxlan as NonNullable<typeof vx.vxlan>), ...change } } };
    expect(kinds(diffFanState(desired, actual))).toEqual([
      'delete-link',
      'create-vxlan',
      'set-link',
      'add-address',
      'set-sysctl',
      'replace-fdb',
      'replace-fdb',
      'replace-neighbour',
      'replace-neighbour',
      'replace-route',
      'replace-route',
    ]);
    expect(diffFanState(desired, actual)[4]).toEqual({ kind: 'set-sysctl', key: 'net.ipv4.conf.fan0-vx.rp_filter', value: '2' });
  });

  it('sets only the sysctls that differ on existing devices', () => {
    const actual: FanActualState = {
      ...converged,
      sysctls: { ...converged.sysctls, 'net.ipv4.neigh.fan0.proxy_delay': '80', 'net.ipv4.ip_forward': '0' },
    };
    expect(diffFanState(desired, actual)).toEqual([
      { kind: 'set-sysctl', key: 'net.ipv4.ip_forward', value: '1' },
      { kind: 'set-sysctl', key: 'net.ipv4.neigh.fan0.proxy_delay', value: '0' },
    ]);
  });

  it('rewrites a NAT table that differs, and deletes it when NAT is off', () => {
    const table = converged.nat.table as NonNullable<FanActualState['nat']['table']>;
    const edited: FanActualState = {
      ...converged,
      nat: { available: true, table: { ...table, rules: [...table.rules, { chain: 'postrouting' }] } },
    };
    expect(kinds(diffFanState(desired, edited))).toEqual(['apply-nat']);
    const noNat = testPlan(TEST_MEMBERS, { ...TEST_NETWORK, nat: false });
    expect(diffFanState(noNat, converged)).toEqual([{ kind: 'delete-nat', table: 'cubed-fan-fan0' }]);
  });

  it('refuses NAT when nft cannot be run', () => {
    expect(() => diffFanState(desired, { ...converged, nat: { available: false } })).toThrow(
      'network fan0 has ipv4.nat enabled, but nft (nftables) cannot be run on this host',
    );
    const noNat = testPlan(TEST_MEMBERS, { ...TEST_NETWORK, nat: false });
    expect(diffFanState(noNat, { ...converged, nat: { available: false } })).toEqual([]);
  });

  it('refuses to take over devices of another kind', () => {
    const foreign: FanActualState = { ...emptyActual(), bridge: { name: 'fan0', kind: 'veth', mtu: 1500, up: true, addresses: [] } };
    expect(() => diffFanState(desired, foreign)).toThrow(FanHostStateError);
    expect(() => diffFanState(desired, foreign)).toThrow('device fan0 exists but is a veth, not a bridge');
    const plain: FanActualState = { ...emptyActual(), vxlan: { name: 'fan0-vx', mtu: 1500, up: true, addresses: [] } };
    expect(() => diffFanState(desired, plain)).toThrow('device fan0-vx exists but is a plain device, not a vxlan');
  });
});

describe('diffFanTeardown', () => {
  it('removes routes → neighbours → fdb, then NAT, then the devices', () => {
    expect(diffFanTeardown(desired.ownership, converged)).toEqual([
      { kind: 'delete-route', device: 'fan0-vx', destination: '240.0.47.0/24', protocol: 250, metric: 0 },
      { kind: 'delete-route', device: 'fan0-vx', destination: '240.1.48.0/24', protocol: 250, metric: 0 },
      { kind: 'delete-neighbour', device: 'fan0-vx', address: '240.0.47.0' },
      { kind: 'delete-neighbour', device: 'fan0-vx', address: '240.1.48.0' },
      { kind: 'delete-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
      { kind: 'delete-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:01:30', dst: '192.168.1.48' },
      { kind: 'delete-nat', table: 'cubed-fan-fan0' },
      { kind: 'delete-link', name: 'fan0-vx' },
      { kind: 'delete-link', name: 'fan0' },
    ]);
  });

  it('has nothing to do on an empty host', () => {
    expect(diffFanTeardown(desired.ownership, emptyActual())).toEqual([]);
  });

  it('leaves devices of another kind and non-permanent neighbours alone', () => {
    const actual: FanActualState = {
      ...emptyActual(),
      bridge: { name: 'fan0', kind: 'veth', mtu: 1500, up: true, addresses: [] },
      vxlan: converged.vxlan,
      neighbours: [{ address: '240.0.47.0', permanent: false }],
    };
    expect(diffFanTeardown(desired.ownership, actual)).toEqual([{ kind: 'delete-link', name: 'fan0-vx' }]);
  });
});
