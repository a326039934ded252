import { allocateFanAddress, containerAddressRange } from './address-allocator';
import { FanAddressExhaustedError, FanConfigError } from './fan-errors';

describe('allocateFanAddress', () => {
  it('starts at .2, after the bridge', () => {
    expect(allocateFanAddress('240.0.46.0/24', [])).toBe('240.0.46.2');
  });

  it('takes the lowest free address, with or without prefix lengths in the used list', () => {
    expect(allocateFanAddress('240.0.46.0/24', ['240.0.46.2', '240.0.46.3/8', '240.0.46.5'])).toBe('240.0.46.4');
  });

  it('is deterministic whatever the order of the used list', () => {
    const used = ['240.0.46.7', '240.0.46.2', '240.0.46.3'];
    expect(allocateFanAddress('240.0.46.0/24', used)).toBe(allocateFanAddress('240.0.46.0/24', [...used].reverse()));
  });

  it('ignores addresses of other members and the reserved .0/.1/.255', () => {
    expect(allocateFanAddress('240.0.46.0/24', ['240.0.47.2', '240.0.46.0', '240.0.46.1', '240.0.46.255'])).toBe('240.0.46.2');
  });

  it('hands out .254 last and then refuses, naming the subnet', () => {
    const used = Array.from({ length: 252 }, (_, i) => `240.0.46.${i + 2}`);
    expect(allocateFanAddress('240.0.46.0/24', used)).toBe('240.0.46.254');
    const full = [...used, '240.0.46.254'];
    expect(() => allocateFanAddress('240.0.46.0/24', full)).toThrow(FanAddressExhaustedError);
    expect(() => allocateFanAddress('240.0.46.0/24', full)).toThrow(
      'no free container address in 240.0.46.0/24: all 253 addresses from 240.0.46.2 to 240.0.46.254 are in use',
    );
  });

  it('works on a /16 member subnet (underlay /24 × overlay /8)', () => {
    const used = Array.from({ length: 254 }, (_, i) => `240.7.0.${i + 2}`);
    expect(allocateFanAddress('240.7.0.0/16', used)).toBe('240.7.1.0');
    expect(containerAddressRange('240.7.0.0/16')).toEqual({ first: '240.7.0.2', last: '240.7.255.254' });
  });

  it('refuses bad subnets and bad used entries', () => {
    expect(() => allocateFanAddress('240.0.46.1/24', [])).toThrow('must be a network address');
    expect(() => allocateFanAddress('240.0.46.0/31', [])).toThrow(FanConfigError);
    expect(() => allocateFanAddress('nonsense', [])).toThrow('member subnet: "nonsense" is not an IPv4 prefix');
    expect(() => allocateFanAddress('240.0.46.0/24', ['240.0.46'])).toThrow('used address "240.0.46"');
  });
});
