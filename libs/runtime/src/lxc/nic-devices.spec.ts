import { broadcastAddress, parseIpv4 } from './ipv4';
import { resolveNics } from './nic-devices';

function counter() {
  let n = 0;
  return (size: number) => Buffer.alloc(size, ++n);
}

describe('resolveNics', () => {
  it('generates host-side names and MAC addresses once, and computes the broadcast address', () => {
    expect(resolveNics([{ name: 'eth0', bridge: 'br0', ipv4: { address: '192.0.2.10', prefixLength: 26 } }], counter())).toEqual([
      {
        name: 'eth0',
        bridge: 'br0',
        hostName: 'veth01010101',
        hwaddr: '00:16:3e:02:02:02',
        ipv4: { address: '192.0.2.10', prefixLength: 26, broadcast: '192.0.2.63' },
      },
    ]);
  });

  it.each([
    [{ name: 'eth0 x', bridge: 'br0' }, /Invalid NIC name/],
    [{ name: 'eth0', bridge: 'a-very-long-bridge-name' }, /Invalid bridge of NIC eth0/],
    [{ name: 'eth0', bridge: 'br0', hostName: '../../x' }, /Invalid host-side name/],
    [{ name: 'eth0', bridge: 'br0', mtu: 10 }, /Invalid MTU 10/],
    [{ name: 'eth0', bridge: 'br0', hwaddr: '01:00:5e:00:00:01' }, /unicast/],
    [{ name: 'eth0', bridge: 'br0', hwaddr: 'zz' }, /Invalid MAC address/],
    [{ name: 'eth0', bridge: 'br0', ipv4: { address: '10.0.0.256', prefixLength: 24 } }, /Invalid IPv4 address "10.0.0.256"/],
    [{ name: 'eth0', bridge: 'br0', ipv4: { address: '10.0.0.1', prefixLength: 33 } }, /Invalid prefix length 33/],
    [{ name: 'eth0', bridge: 'br0', ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.1.1' } }, /outside 10.0.0.5\/24/],
  ])('refuses %p', (nic, message) => {
    expect(() => resolveNics([nic], counter())).toThrow(message);
  });

  it('refuses duplicate names', () => {
    expect(() => resolveNics([{ name: 'eth0', bridge: 'br0' }, { name: 'eth0', bridge: 'br1' }], counter())).toThrow(/same name "eth0"/);
    expect(() =>
      resolveNics([{ name: 'eth0', bridge: 'br0', hostName: 'v1' }, { name: 'eth1', bridge: 'br1', hostName: 'v1' }], counter()),
    ).toThrow(/same host-side name "v1"/);
  });
});

describe('IPv4 helpers', () => {
  it('computes broadcast addresses and parses strictly', () => {
    expect(broadcastAddress('240.0.46.20', 8)).toBe('240.255.255.255');
    expect(broadcastAddress('10.1.2.3', 32)).toBe('10.1.2.3');
    expect(broadcastAddress('172.16.5.4', 12)).toBe('172.31.255.255');
    expect(parseIpv4('255.255.255.255', 'x')).toBe(0xffffffff);
    expect(() => parseIpv4('01.2.3.4', 'x')).toThrow(/Invalid IPv4/);
    expect(() => parseIpv4('1.2.3', 'x')).toThrow(/Invalid IPv4/);
  });
});
