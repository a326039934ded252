import { parseBridgeFdb, parseIpAddrShow, parseIpNeighbours, parseIpRoutes, parseSysctlOutput } from './iproute-json';

// Trimmed output of iproute2 6.1 on a host where the Fan is set up.
const ADDR_SHOW = JSON.stringify([
  { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK'], mtu: 65536, address: '00:00:00:00:00:00', addr_info: [] },
  {
    ifindex: 3,
    link: 'peer0',
    ifname: 'eth0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    address: '9a:01:59:34:6f:bf',
    linkinfo: { info_kind: 'veth' },
    addr_info: [
      { family: 'inet', local: '192.168.0.46', prefixlen: 16, scope: 'global', label: 'eth0' },
      { family: 'inet6', local: 'fe80::9801:59ff:fe34:6fbf', prefixlen: 64, scope: 'link' },
    ],
  },
  {
    ifindex: 4,
    ifname: 'fan0',
    flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
    mtu: 1450,
    address: '0e:fb:c0:a8:00:2e',
    linkinfo: { info_kind: 'bridge', info_data: { forward_delay: 1500, stp_state: 0 } },
    addr_info: [{ family: 'inet', local: '240.0.46.1', prefixlen: 8, broadcast: '240.255.255.255', scope: 'global', label: 'fan0' }],
  },
  {
    ifindex: 5,
    ifname: 'fan0-vx',
    flags: ['BROADCAST', 'MULTICAST'],
    mtu: 1450,
    master: 'fan0',
    address: '0e:fa:c0:a8:00:2e',
    linkinfo: {
      info_kind: 'vxlan',
      info_data: { id: 15728640, local: '192.168.0.46', link: 'eth0', port_range: { low: 0, high: 0 }, port: 8472, learning: false, ttl: 64 },
      info_slave_kind: 'bridge',
    },
    addr_info: [{ family: 'inet', local: '240.0.46.0', prefixlen: 32, scope: 'global', label: 'fan0-vx' }],
  },
]);

describe('iproute2 JSON parsers', () => {
  it('parses links with kind, flags, master, IPv4 addresses and VXLAN parameters', () => {
    const links = parseIpAddrShow(ADDR_SHOW);
    expect(links.map((l) => l.name)).toEqual(['lo', 'eth0', 'fan0', 'fan0-vx']);
    expect(links[0]).toEqual({ name: 'lo', mac: '00:00:00:00:00:00', mtu: 65536, up: false, addresses: [], ipv4: [] });
    expect(links[1]).toMatchObject({
      kind: 'veth',
      up: true,
      addresses: [{ cidr: '192.168.0.46/16' }],
      ipv4: [{ address: '192.168.0.46', prefixLength: 16 }],
    });
    expect(links[2]).toMatchObject({
      kind: 'bridge',
      mac: '0e:fb:c0:a8:00:2e',
      mtu: 1450,
      up: true,
      addresses: [{ cidr: '240.0.46.1/8', broadcast: '240.255.255.255' }],
    });
    expect(links[2].vxlan).toBeUndefined();
    expect(links[3]).toMatchObject({
      kind: 'vxlan',
      up: false,
      master: 'fan0',
      addresses: [{ cidr: '240.0.46.0/32' }],
      vxlan: { vni: 15728640, local: '192.168.0.46', device: 'eth0', port: 8472, learning: false, ttl: 64 },
    });
  });

  it('parses routes, normalising host and default destinations', () => {
    const routes = parseIpRoutes(
      JSON.stringify([
        { dst: '240.0.47.0/24', gateway: '240.0.47.0', dev: 'fan0-vx', protocol: '250', flags: ['onlink'] },
        { dst: '240.0.48.7', gateway: '240.0.48.0', dev: 'fan0-vx', metric: 20, flags: [] },
        { dst: 'default', gateway: '192.168.0.1', dev: 'eth0', flags: [] },
      ]),
    );
    expect(routes).toEqual([
      { destination: '240.0.47.0/24', gateway: '240.0.47.0', device: 'fan0-vx', onlink: true, metric: 0 },
      { destination: '240.0.48.7/32', gateway: '240.0.48.0', device: 'fan0-vx', onlink: false, metric: 20 },
      { destination: '0.0.0.0/0', gateway: '192.168.0.1', device: 'eth0', onlink: false, metric: 0 },
    ]);
  });

  it('parses neighbours and their permanence', () => {
    expect(
      parseIpNeighbours(
        JSON.stringify([
          { dst: '240.0.47.0', dev: 'fan0-vx', lladdr: '0e:fa:c0:a8:00:2f', state: ['PERMANENT'] },
          { dst: '192.168.0.99', dev: 'eth0', state: ['FAILED'] },
        ]),
      ),
    ).toEqual([
      { address: '240.0.47.0', mac: '0e:fa:c0:a8:00:2f', permanent: true, device: 'fan0-vx' },
      { address: '192.168.0.99', permanent: false, device: 'eth0' },
    ]);
  });

  it('parses fdb entries with their remote, port and vni', () => {
    expect(
      parseBridgeFdb(
        JSON.stringify([
          { mac: '00:00:00:00:00:00', dst: '192.168.0.99', flags: ['self'], state: 'permanent' },
          { mac: '0E:FA:C0:A8:00:2F', ifname: 'fan0-vx', dst: '192.168.0.47', port: 4789, vni: 7, flags: ['self'], state: 'permanent' },
          { mac: '33:33:00:00:00:01', ifname: 'eth0', flags: ['self'], state: 'permanent' },
          { mac: '0e:fa:c0:a8:00:30', dst: '192.168.0.48', flags: ['self'], state: '' },
        ]),
      ),
    ).toEqual([
      { mac: '00:00:00:00:00:00', dst: '192.168.0.99', permanent: true },
      { mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47', permanent: true, port: 4789, vni: 7, device: 'fan0-vx' },
      { mac: '33:33:00:00:00:01', permanent: true, device: 'eth0' },
      { mac: '0e:fa:c0:a8:00:30', dst: '192.168.0.48', permanent: false },
    ]);
  });

  it('treats empty output as no entries and refuses non-arrays', () => {
    expect(parseIpRoutes('')).toEqual([]);
    expect(parseBridgeFdb('[]\n')).toEqual([]);
    expect(() => parseIpNeighbours('{}')).toThrow('expected a JSON array');
  });

  it('parses sysctl output', () => {
    expect(parseSysctlOutput('net.ipv4.ip_forward = 1\nnet.ipv4.conf.fan0.rp_filter = 2\n\n')).toEqual({
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.fan0.rp_filter': '2',
    });
  });
});
