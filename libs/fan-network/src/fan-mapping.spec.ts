import { FanConfigError, FanMappingError } from './fan-errors';
import {
  canonicalUnderlayAddress,
  fanBridgeMac,
  fanLayout,
  fanMtu,
  fanVni,
  fanVtepMac,
  formatFanOverlay,
  mapFanMember,
  mapFanMembers,
  resolveUnderlaySubnet,
} from './fan-mapping';
import { formatIpv4Cidr, parseIpv4Cidr } from './ipv4';

function mappingError(fn: () => unknown): FanMappingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FanMappingError) return err;
    throw err;
  }
  throw new Error('expected a FanMappingError');
}

describe('Fan mapping', () => {
  describe('underlay /16 × overlay /8', () => {
    const layout = fanLayout('240.0.0.0/8', '192.168.0.0/16');

    it('gives each member a /24 whose middle octets are the underlay host bits', () => {
      expect(layout.memberPrefixLength).toBe(24);
      expect(mapFanMember(layout, { name: 'n1', underlayAddress: '192.168.0.46' }).subnet).toBe('240.0.46.0/24');
      expect(mapFanMember(layout, { name: 'n3', underlayAddress: '192.168.1.48' }).subnet).toBe('240.1.48.0/24');
      expect(mapFanMember(layout, { name: 'n4', underlayAddress: '192.168.255.254' }).subnet).toBe('240.255.254.0/24');
    });

    it('derives the bridge, endpoint and container addresses and the MACs', () => {
      expect(mapFanMember(layout, { name: 'n1', underlayAddress: '192.168.0.46' })).toEqual({
        member: 'n1',
        underlayAddress: '192.168.0.46',
        subnet: '240.0.46.0/24',
        vtepAddress: '240.0.46.0',
        bridgeAddress: '240.0.46.1',
        addressPrefixLength: 8,
        overlayBroadcast: '240.255.255.255',
        dhcpRange: { first: '240.0.46.2', last: '240.0.46.254' },
        vtepMac: '0e:fa:c0:a8:00:2e',
        bridgeMac: '0e:fb:c0:a8:00:2e',
      });
    });

    it('uses VNI 15728640 (240.0.0.0 >> 8)', () => {
      expect(layout.vni).toBe(15728640);
      expect(formatFanOverlay(layout)).toBe('240.0.0.0/8');
    });
  });

  describe('underlay /24 × overlay /8', () => {
    const layout = fanLayout('240.0.0.0/8', '10.1.2.0/24');

    it('gives each member a /16 from the last underlay octet', () => {
      expect(layout.memberPrefixLength).toBe(16);
      const m = mapFanMember(layout, { name: 'a', underlayAddress: '10.1.2.7' });
      expect(m.subnet).toBe('240.7.0.0/16');
      expect(m.bridgeAddress).toBe('240.7.0.1');
      expect(m.vtepAddress).toBe('240.7.0.0');
      expect(m.dhcpRange).toEqual({ first: '240.7.0.2', last: '240.7.255.254' });
      expect(m.addressPrefixLength).toBe(8);
    });
  });

  describe('underlay /24 × overlay /16', () => {
    const layout = fanLayout('10.20.0.0/16', '192.168.5.0/24');

    it('gives each member a /24 inside the overlay', () => {
      expect(layout.memberPrefixLength).toBe(24);
      const m = mapFanMember(layout, { name: 'a', underlayAddress: '192.168.5.9' });
      expect(m.subnet).toBe('10.20.9.0/24');
      expect(m.bridgeAddress).toBe('10.20.9.1');
      expect(m.addressPrefixLength).toBe(16);
      expect(m.overlayBroadcast).toBe('10.20.255.255');
      expect(m.dhcpRange).toEqual({ first: '10.20.9.2', last: '10.20.9.254' });
    });

    it('uses the overlay network >> 8 as VNI', () => {
      expect(layout.vni).toBe((10 << 16) | (20 << 8));
    });
  });

  describe('underlay /16 × overlay /16', () => {
    it('is refused: no bits would be left for containers', () => {
      const err = mappingError(() => fanLayout('10.20.0.0/16', '192.168.0.0/16'));
      expect(err.problem).toBe('overlay-too-small');
      expect(err.message).toContain('10.20.0.0/16 is too small for fan.underlay_subnet 192.168.0.0/16');
      expect(err.message).toContain('would leave 0 bits per member');
    });
  });

  describe('invalid layouts', () => {
    it.each([
      ['240.0.0.0/12', '192.168.0.0/16', 'invalid-overlay-prefix', 'must be a /8 or /16, not a /12'],
      ['240.0.0.0/8', '192.168.0.0/20', 'invalid-underlay-prefix', 'must be a /16 or /24, not a /20'],
      ['240.1.0.0/8', '192.168.0.0/16', 'not-a-network-address', 'did you mean 240.0.0.0/8?'],
      ['240.0.0.0/8', '192.168.1.0/16', 'not-a-network-address', 'did you mean 192.168.0.0/16?'],
      ['10.0.0.0/8', '10.1.0.0/16', 'overlay-overlaps-underlay', '10.0.0.0/8 overlaps fan.underlay_subnet 10.1.0.0/16'],
      ['127.0.0.0/8', '192.168.0.0/16', 'reserved-overlay', 'loopback'],
      ['224.0.0.0/8', '192.168.0.0/16', 'reserved-overlay', 'multicast'],
      ['0.0.0.0/8', '192.168.0.0/16', 'reserved-overlay', '"this network"'],
      ['255.0.0.0/8', '192.168.0.0/16', 'reserved-overlay', 'limited broadcast'],
    ])('overlay %s with underlay %s → %s', (overlay, underlay, problem, text) => {
      const err = mappingError(() => fanLayout(overlay, underlay));
      expect(err.problem).toBe(problem);
      expect(err.message).toContain(text);
    });

    it('reports unparsable prefixes as configuration errors naming the key', () => {
      expect(() => fanLayout('240.0.0.0', '192.168.0.0/16')).toThrow(FanConfigError);
      expect(() => fanLayout('240.0.0.0/8', 'lan')).toThrow('fan.underlay_subnet: "lan" is not an IPv4 prefix');
    });
  });

  describe('member addresses', () => {
    const layout = fanLayout('240.0.0.0/8', '192.168.0.0/16');

    it('refuses an address outside the underlay subnet, naming the member', () => {
      const err = mappingError(() => mapFanMember(layout, { name: 'far', underlayAddress: '10.0.0.5' }));
      expect(err.problem).toBe('address-outside-underlay');
      expect(err.members).toEqual(['far']);
      expect(err.message).toBe('member "far": underlay address 10.0.0.5 is outside the underlay subnet 192.168.0.0/16');
    });

    it('refuses the network and broadcast addresses of the underlay', () => {
      expect(mappingError(() => mapFanMember(layout, { name: 'z', underlayAddress: '192.168.0.0' })).message).toContain(
        'is the network address of 192.168.0.0/16',
      );
      expect(mappingError(() => mapFanMember(layout, { name: 'b', underlayAddress: '192.168.255.255' })).problem).toBe(
        'reserved-underlay-address',
      );
    });

    it('refuses an unparsable address, naming the member', () => {
      expect(() => mapFanMember(layout, { name: 'x', underlayAddress: '192.168.0' })).toThrow(
        /member "x": "192.168.0" is not an IPv4 address/,
      );
      expect(() => canonicalUnderlayAddress({ name: 'x', underlayAddress: 'nope' })).toThrow(FanConfigError);
      expect(canonicalUnderlayAddress({ name: 'x', underlayAddress: '192.168.0.46' })).toBe('192.168.0.46');
    });

    it('maps a member list and refuses two members on one subnet', () => {
      const ok = mapFanMembers(layout, [
        { name: 'a', underlayAddress: '192.168.0.46' },
        { name: 'b', underlayAddress: '192.168.0.47' },
      ]);
      expect(ok.map((m) => m.subnet)).toEqual(['240.0.46.0/24', '240.0.47.0/24']);
      const err = mappingError(() =>
        mapFanMembers(layout, [
          { name: 'a', underlayAddress: '192.168.0.46' },
          { name: 'b', underlayAddress: '192.168.0.46' },
        ]),
      );
      expect(err.problem).toBe('duplicate-subnet');
      expect(err.members).toEqual(['a', 'b']);
      expect(err.message).toBe(
        'members "a" (192.168.0.46) and "b" (192.168.0.46) would both get the overlay subnet 240.0.46.0/24',
      );
    });

    it('refuses a member listed twice', () => {
      const err = mappingError(() =>
        mapFanMembers(layout, [
          { name: 'a', underlayAddress: '192.168.0.46' },
          { name: 'a', underlayAddress: '192.168.0.47' },
        ]),
      );
      expect(err.problem).toBe('duplicate-member');
      expect(err.message).toBe('member "a" is listed more than once');
    });
  });

  describe('auto underlay', () => {
    it('is the subnet of the member address', () => {
      expect(formatIpv4Cidr(resolveUnderlaySubnet('auto', '192.168.1.48', 16))).toBe('192.168.0.0/16');
      expect(formatIpv4Cidr(resolveUnderlaySubnet('auto', '10.1.2.7', 24))).toBe('10.1.2.0/24');
    });

    it('passes an explicit subnet through', () => {
      expect(resolveUnderlaySubnet('172.16.0.0/16', '192.168.1.48', 24)).toEqual(parseIpv4Cidr('172.16.0.0/16'));
    });

    it('refuses an address whose own prefix the Fan cannot use', () => {
      const err = mappingError(() => resolveUnderlaySubnet('auto', '10.0.0.5', 8));
      expect(err.problem).toBe('invalid-underlay-prefix');
      expect(err.message).toContain('10.0.0.5/8 is in a /8');
    });
  });

  describe('derived values', () => {
    it('VNI is the overlay network shifted right by 8', () => {
      expect(fanVni(parseIpv4Cidr('240.0.0.0/8'))).toBe(15728640);
      expect(fanVni(parseIpv4Cidr('250.0.0.0/8'))).toBe(0xfa0000);
    });

    it('MTU is the parent MTU less 50', () => {
      expect(fanMtu(1500)).toBe(1450);
      expect(fanMtu(9000)).toBe(8950);
      expect(() => fanMtu(600)).toThrow('underlay MTU 600 is too small for the Fan');
    });

    it('MACs are locally administered and carry the underlay bytes', () => {
      expect(fanVtepMac('192.168.1.48')).toBe('0e:fa:c0:a8:01:30');
      expect(fanBridgeMac('192.168.1.48')).toBe('0e:fb:c0:a8:01:30');
    });
  });
});
