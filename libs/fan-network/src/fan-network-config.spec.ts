import { FanConfigError } from './fan-errors';
import { DEFAULT_FAN_ROUTE_PROTOCOL, fanNetworkConfig, fanNetworkConfigFromLxd } from './fan-network-config';

describe('Fan network configuration', () => {
  it('fills in the defaults', () => {
    expect(fanNetworkConfig({ bridgeName: 'lxdfan0' })).toEqual({
      bridgeName: 'lxdfan0',
      vxlanName: 'lxdfan0-fan',
      overlaySubnet: '240.0.0.0/8',
      underlaySubnet: 'auto',
      nat: false,
      routeProtocol: DEFAULT_FAN_ROUTE_PROTOCOL,
    });
  });

  it('keeps explicit values', () => {
    expect(
      fanNetworkConfig({
        bridgeName: 'br',
        vxlanName: 'vx',
        overlaySubnet: '10.20.0.0/16',
        underlaySubnet: '192.168.5.0/24',
        mtu: 1400,
        nat: true,
        routeProtocol: 77,
      }),
    ).toEqual({
      bridgeName: 'br',
      vxlanName: 'vx',
      overlaySubnet: '10.20.0.0/16',
      underlaySubnet: '192.168.5.0/24',
      mtu: 1400,
      nat: true,
      routeProtocol: 77,
    });
  });

  it.each([
    [{ bridgeName: 'this-name-is-too-long' }, 'bridgeName "this-name-is-too-long" is not a usable interface name'],
    [{ bridgeName: 'fan.0' }, 'bridgeName "fan.0" is not a usable interface name'],
    [{ bridgeName: '' }, 'bridgeName "" is not a usable interface name'],
    [{ bridgeName: 'abcdefghijkl' }, 'derived from bridge "abcdefghijkl" is longer than 15 characters'],
    [{ bridgeName: 'fan0', vxlanName: 'fan0' }, 'cannot both be named "fan0"'],
    [{ bridgeName: 'fan0', vxlanName: 'bad name' }, 'vxlanName "bad name" is not a usable interface name'],
    [{ bridgeName: 'fan0', mtu: 1400.5 }, 'bridge.mtu 1400.5 is not a valid Fan MTU'],
    [{ bridgeName: 'fan0', mtu: 575 }, 'bridge.mtu 575 is not a valid Fan MTU (an integer from 576 to 65535)'],
    [{ bridgeName: 'fan0', mtu: 65536 }, 'bridge.mtu 65536 is not a valid Fan MTU'],
    [{ bridgeName: 'fan0', routeProtocol: 2 }, 'route protocol 2 is not usable'],
  ])('refuses %j', (settings, message) => {
    expect(() => fanNetworkConfig(settings)).toThrow(FanConfigError);
    expect(() => fanNetworkConfig(settings)).toThrow(message);
  });

  describe('from LXD keys', () => {
    it('reads the Fan keys', () => {
      expect(
        fanNetworkConfigFromLxd('lxdfan0', {
          'bridge.mode': 'fan',
          'fan.overlay_subnet': '240.0.0.0/8',
          'fan.underlay_subnet': '192.168.0.0/16',
          'fan.type': 'vxlan',
          'bridge.mtu': '1400',
          'ipv4.nat': 'true',
          'ipv4.dhcp': 'true',
        }),
      ).toEqual({
        bridgeName: 'lxdfan0',
        vxlanName: 'lxdfan0-fan',
        overlaySubnet: '240.0.0.0/8',
        underlaySubnet: '192.168.0.0/16',
        mtu: 1400,
        nat: true,
        routeProtocol: DEFAULT_FAN_ROUTE_PROTOCOL,
      });
    });

    it('uses the defaults for absent keys', () => {
      const config = fanNetworkConfigFromLxd('fan1', { 'bridge.mode': 'fan' });
      expect(config).toMatchObject({ overlaySubnet: '240.0.0.0/8', underlaySubnet: 'auto', nat: false });
      expect(config.mtu).toBeUndefined();
    });

    it('accepts LXD boolean spellings', () => {
      expect(fanNetworkConfigFromLxd('f', { 'ipv4.nat': 'yes' }).nat).toBe(true);
      expect(fanNetworkConfigFromLxd('f', { 'ipv4.nat': 'off' }).nat).toBe(false);
    });

    it.each([
      [{ 'bridge.mode': 'standard' }, 'bridge.mode="standard" is not a Fan network'],
      [{ 'fan.type': 'ipip' }, 'fan.type="ipip" is not supported'],
      [{ 'bridge.driver': 'openvswitch' }, 'bridge.driver="openvswitch" is not supported'],
      [{ 'bridge.mtu': 'big' }, 'bridge.mtu="big" is not a number'],
      [{ 'ipv4.nat': 'maybe' }, 'ipv4.nat="maybe" is not a boolean'],
    ])('refuses %j', (config, message) => {
      expect(() => fanNetworkConfigFromLxd('fan0', config)).toThrow(message);
    });
  });
});
