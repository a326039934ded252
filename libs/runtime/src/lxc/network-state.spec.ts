import { parseNetworkState } from './network-state';

/** `ip -json -stats address show` inside a container with a veth NIC (captured on LXC 5.0.2). */
const IP_OUTPUT = JSON.stringify([
  {
    ifindex: 1,
    ifname: 'lo',
    flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
    mtu: 65536,
    operstate: 'UNKNOWN',
    link_type: 'loopback',
    address: '00:00:00:00:00:00',
    addr_info: [
      { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' },
      { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host' },
    ],
    stats64: { rx: { bytes: 0, packets: 0, errors: 0, dropped: 0 }, tx: { bytes: 0, packets: 0, errors: 0, dropped: 0 } },
  },
  {
    ifindex: 2,
    link_index: 4,
    ifname: 'eth0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1400,
    operstate: 'UP',
    link_type: 'ether',
    address: '00:16:3e:11:22:33',
    addr_info: [
      { family: 'inet', local: '10.99.0.10', prefixlen: 24, broadcast: '10.99.0.255', scope: 'global', label: 'eth0' },
      { family: 'inet6', local: 'fe80::216:3eff:fe11:2233', prefixlen: 64, scope: 'link' },
    ],
    stats64: { rx: { bytes: 90, packets: 1, errors: 2, dropped: 3 }, tx: { bytes: 180, packets: 4, errors: 5, dropped: 6 } },
  },
]);

describe('parseNetworkState', () => {
  it('reports interfaces the way LXD does', () => {
    const state = parseNetworkState(IP_OUTPUT, [{ name: 'eth0', bridge: 'br0', hostName: 'vethc1', hwaddr: '00:16:3e:11:22:33' }]);
    expect(state.lo).toMatchObject({ type: 'loopback', state: 'up', hostName: '', mtu: 65536 });
    expect(state.lo.addresses[0]).toEqual({ family: 'inet', address: '127.0.0.1', netmask: '8', scope: 'local' });
    expect(state.eth0).toEqual({
      addresses: [
        { family: 'inet', address: '10.99.0.10', netmask: '24', scope: 'global' },
        { family: 'inet6', address: 'fe80::216:3eff:fe11:2233', netmask: '64', scope: 'link' },
      ],
      counters: {
        bytesReceived: 90,
        bytesSent: 180,
        packetsReceived: 1,
        packetsSent: 4,
        errorsReceived: 2,
        errorsSent: 5,
        packetsDroppedInbound: 3,
        packetsDroppedOutbound: 6,
      },
      hwaddr: '00:16:3e:11:22:33',
      hostName: 'vethc1',
      mtu: 1400,
      state: 'up',
      type: 'broadcast',
    });
  });

  it('reports down interfaces and refuses output it cannot read', () => {
    const down = JSON.stringify([{ ifname: 'eth1', flags: ['BROADCAST'], mtu: 1500, link_type: 'ether', address: 'aa', addr_info: [] }]);
    expect(parseNetworkState(down, []).eth1).toMatchObject({ state: 'down', addresses: [], counters: { bytesReceived: 0 } });
    expect(() => parseNetworkState('not json', [])).toThrow(/Cannot parse the output of ip/);
  });
});
