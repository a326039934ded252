import { FanConfigError, FanHostStateError, FanMappingError } from './fan-errors';
import { fanNetworkConfig } from './fan-network-config';
import { fanOwnership, fanSysctls, planFan } from './fan-plan';
import { TEST_MEMBERS, TEST_NETWORK, TEST_UNDERLAY, testPlan } from './test-fixtures';

describe('planFan', () => {
  it('plans the complete state of member n1', () => {
    const desired = testPlan();
    expect(desired.ownership).toEqual({ bridgeName: 'fan0', vxlanName: 'fan0-vx', routeProtocol: 250, natTable: 'cubed-fan-fan0' });
    expect(desired.sysctls).toEqual([
      { key: 'net.ipv4.ip_forward', value: '1' },
      { key: 'net.ipv4.conf.fan0.proxy_arp', value: '1', device: 'fan0' },
      { key: 'net.ipv4.neigh.fan0.proxy_delay', value: '0', device: 'fan0' },
      { key: 'net.ipv4.conf.fan0.rp_filter', value: '2', device: 'fan0' },
      { key: 'net.ipv4.conf.fan0-vx.rp_filter', value: '2', device: 'fan0-vx' },
    ]);
    expect(desired.bridge).toEqual({
      name: 'fan0',
      mac: '0e:fb:c0:a8:00:2e',
      mtu: 1450,
      addresses: [{ cidr: '240.0.46.1/8', broadcast: '240.255.255.255' }],
    });
    expect(desired.vxlan).toEqual({
      name: 'fan0-vx',
      mac: '0e:fa:c0:a8:00:2e',
      mtu: 1450,
      vni: 15728640,
      port: 8472,
      local: '192.168.0.46',
      device: 'eth0',
      ttl: 64,
      addresses: [{ cidr: '240.0.46.0/32' }],
    });
    expect(desired.peers.map(({ fdb, neighbour, route }) => ({ fdb, neighbour, route }))).toEqual([
      {
        fdb: { mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
        neighbour: { address: '240.0.47.0', mac: '0e:fa:c0:a8:00:2f' },
        route: { destination: '240.0.47.0/24', gateway: '240.0.47.0' },
      },
      {
        fdb: { mac: '0e:fa:c0:a8:01:30', dst: '192.168.1.48' },
        neighbour: { address: '240.1.48.0', mac: '0e:fa:c0:a8:01:30' },
        route: { destination: '240.1.48.0/24', gateway: '240.1.48.0' },
      },
    ]);
    expect(desired.nat).toEqual({
      table: 'cubed-fan-fan0',
      rule: { sourceSubnet: '240.0.46.0/24', excludedDestination: '240.0.0.0/8', excludedInterfaces: ['fan0', 'fan0-vx'] },
    });
  });

  it('orders peers by member name whatever the input order', () => {
    const reversed = [...TEST_MEMBERS].reverse();
    expect(testPlan(reversed).peers.map((p) => p.member.member)).toEqual(['n2', 'n3']);
  });

  it('has no peers and no NAT for a single member without ipv4.nat', () => {
    const desired = testPlan([TEST_MEMBERS[0]], { ...TEST_NETWORK, nat: false });
    expect(desired.peers).toEqual([]);
    expect(desired.nat).toBeUndefined();
  });

  it('uses bridge.mtu when it fits and refuses one larger than the underlay allows', () => {
    expect(testPlan(TEST_MEMBERS, { ...TEST_NETWORK, mtu: 1400 }).bridge.mtu).toBe(1400);
    expect(() => testPlan(TEST_MEMBERS, { ...TEST_NETWORK, mtu: 1451 })).toThrow(FanConfigError);
    expect(() => testPlan(TEST_MEMBERS, { ...TEST_NETWORK, mtu: 1451 })).toThrow(
      'bridge.mtu 1451 is too large: the underlay interface eth0 has MTU 1500, so the Fan can carry at most 1450',
    );
  });

  it('follows a jumbo underlay MTU', () => {
    const desired = planFan({ network: TEST_NETWORK, members: TEST_MEMBERS, self: 'n1', underlay: { ...TEST_UNDERLAY, mtu: 9000 } });
    expect(desired.bridge.mtu).toBe(8950);
    expect(desired.vxlan.mtu).toBe(8950);
  });

  it('resolves an auto underlay from the interface prefix and an explicit one from the config', () => {
    const explicit = fanNetworkConfig({ bridgeName: 'fan0', underlaySubnet: '192.168.0.0/16' });
    expect(planFan({ network: explicit, members: TEST_MEMBERS, self: 'n1', underlay: { ...TEST_UNDERLAY, prefixLength: 24 } }).self.subnet).toBe(
      '240.0.46.0/24',
    );
    // auto with a /24 interface: n3 (192.168.1.48) is outside 192.168.0.0/24
    expect(() => planFan({ network: TEST_NETWORK, members: TEST_MEMBERS, self: 'n1', underlay: { ...TEST_UNDERLAY, prefixLength: 24 } })).toThrow(
      'member "n3": underlay address 192.168.1.48 is outside the underlay subnet 192.168.0.0/24',
    );
  });

  it('refuses a self that is not a member', () => {
    expect(() => planFan({ network: TEST_NETWORK, members: TEST_MEMBERS, self: 'n9', underlay: TEST_UNDERLAY })).toThrow(FanMappingError);
    expect(() => planFan({ network: TEST_NETWORK, members: TEST_MEMBERS, self: 'n9', underlay: TEST_UNDERLAY })).toThrow(
      'member "n9" is not in the member list ("n1", "n2", "n3")',
    );
  });

  it('refuses an underlay interface that does not carry the member address', () => {
    expect(() =>
      planFan({ network: TEST_NETWORK, members: TEST_MEMBERS, self: 'n1', underlay: { ...TEST_UNDERLAY, address: '192.168.0.99' } }),
    ).toThrow(FanHostStateError);
  });

  it('refuses members that map to one subnet', () => {
    const clash = [...TEST_MEMBERS, { name: 'n4', underlayAddress: '192.168.0.47' }];
    expect(() => testPlan(clash)).toThrow('members "n2" (192.168.0.47) and "n4" (192.168.0.47) would both get the overlay subnet 240.0.47.0/24');
  });

  it('derives ownership and sysctls from the names alone', () => {
    expect(fanOwnership(TEST_NETWORK).natTable).toBe('cubed-fan-fan0');
    expect(fanSysctls(TEST_NETWORK).map((s) => s.key)).toEqual(testPlan().sysctls.map((s) => s.key));
  });
});
