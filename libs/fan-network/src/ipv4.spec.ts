import {
  broadcastOf,
  cidrContains,
  cidrsOverlap,
  formatIpv4,
  formatIpv4Cidr,
  hostBitsOf,
  Ipv4FormatError,
  ipv4HexBytes,
  isNetworkAddress,
  networkOf,
  parseIpv4,
  parseIpv4Cidr,
  prefixMask,
} from './ipv4';

describe('ipv4', () => {
  it('parses and formats dotted quads across the whole range', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('192.168.0.46')).toBe(0xc0a8002e);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(formatIpv4(0xf0002e01)).toBe('240.0.46.1');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', 'a.b.c.d', ' 1.2.3.4'])('refuses "%s"', (text) => {
    expect(() => parseIpv4(text)).toThrow(Ipv4FormatError);
  });

  it('parses prefixes and refuses bad lengths', () => {
    expect(parseIpv4Cidr('240.0.0.0/8')).toEqual({ address: 0xf0000000, prefixLength: 8 });
    expect(formatIpv4Cidr(parseIpv4Cidr('10.1.2.3/24'))).toBe('10.1.2.3/24');
    expect(() => parseIpv4Cidr('10.0.0.0')).toThrow('expected address/length');
    expect(() => parseIpv4Cidr('10.0.0.0/33')).toThrow('invalid prefix length "33"');
    expect(() => parseIpv4Cidr('10.0.0.0/08')).toThrow('invalid prefix length');
  });

  it('computes masks, networks, broadcasts and host bits', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(8)).toBe(0xff000000);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(formatIpv4Cidr(networkOf(parseIpv4Cidr('192.168.1.48/16')))).toBe('192.168.0.0/16');
    expect(formatIpv4(broadcastOf(parseIpv4Cidr('240.0.46.0/24')))).toBe('240.0.46.255');
    expect(formatIpv4(broadcastOf(parseIpv4Cidr('240.0.0.0/8')))).toBe('240.255.255.255');
    expect(hostBitsOf(parseIpv4('192.168.1.48'), 16)).toBe(0x0130);
    expect(isNetworkAddress(parseIpv4Cidr('10.20.0.0/16'))).toBe(true);
    expect(isNetworkAddress(parseIpv4Cidr('10.20.1.0/16'))).toBe(false);
  });

  it('tests containment and overlap', () => {
    const fan = parseIpv4Cidr('240.0.0.0/8');
    expect(cidrContains(fan, parseIpv4('240.255.0.1'))).toBe(true);
    expect(cidrContains(fan, parseIpv4('241.0.0.1'))).toBe(false);
    expect(cidrsOverlap(fan, parseIpv4Cidr('240.1.0.0/16'))).toBe(true);
    expect(cidrsOverlap(parseIpv4Cidr('240.1.0.0/16'), fan)).toBe(true);
    expect(cidrsOverlap(fan, parseIpv4Cidr('192.168.0.0/16'))).toBe(false);
  });

  it('renders the address bytes as hex for MACs', () => {
    expect(ipv4HexBytes(parseIpv4('192.168.0.46'))).toBe('c0:a8:00:2e');
    expect(ipv4HexBytes(parseIpv4('10.0.255.1'))).toBe('0a:00:ff:01');
  });
});
