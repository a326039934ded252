/**
 * The configuration of managed networks Cubed runs: Fan bridges (`bridge.mode=fan`), VXLAN on a
 * stock kernel, with static addresses for NICs from each member's subnet. Keys are LXD's; a key
 * Cubed would not act on is refused.
 */
import { FanConfigError, FanMappingError, fanLayout, fanNetworkConfigFromLxd, type FanNetworkConfig } from '@app/fan-network';
import { badRequest } from '../http/lxd-error';

const FAN_KEYS = new Set(['bridge.mode', 'bridge.driver', 'bridge.mtu', 'fan.type', 'fan.overlay_subnet', 'fan.underlay_subnet', 'ipv4.nat', 'ipv4.dhcp', 'ipv6.address']);

/** LXD's network name rules, and room for the VXLAN device's "-fan" suffix. */
export function validNetworkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw badRequest('No name provided');
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name) || name.length > 11) {
    throw badRequest(`Invalid network name "${name}": 1-11 letters, digits, "-" and "_" (the Fan's VXLAN device is "<name>-fan")`);
  }
}

export function validNetworkConfig(config: unknown): Record<string, string> {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) throw badRequest('config must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (typeof value !== 'string') throw badRequest(`Invalid value for config key "${key}": expected a string`);
    if (!FAN_KEYS.has(key) && !key.startsWith('user.')) throw badRequest(`Invalid network configuration key: ${key}`);
    out[key] = value;
  }
  return out;
}

/** Whether a network's config makes it a Fan bridge. */
export function isFan(config: Readonly<Record<string, string>>): boolean {
  return config['bridge.mode'] === 'fan';
}

/** Checks a network's whole config and returns the Fan it describes. */
export function fanOf(name: string, config: Readonly<Record<string, string>>): FanNetworkConfig {
  if (!isFan(config)) {
    throw badRequest('Only Fan bridges are supported: set bridge.mode=fan (containers on every member reach each other over VXLAN)');
  }
  if (config['ipv4.dhcp'] !== undefined && config['ipv4.dhcp'] !== 'false') {
    throw badRequest('ipv4.dhcp: Cubed gives NICs static addresses from the member subnet (recorded in the database); set ipv4.dhcp=false or leave it out');
  }
  if (config['ipv6.address'] !== undefined && config['ipv6.address'] !== 'none') throw badRequest('ipv6.address: Fan networks carry IPv4 only (use "none")');
  let fan: FanNetworkConfig;
  try {
    fan = fanNetworkConfigFromLxd(name, config);
    // With fan.underlay_subnet=auto the combination is checked against each member's own address.
    if (fan.underlaySubnet !== 'auto') fanLayout(fan.overlaySubnet, fan.underlaySubnet);
  } catch (err) {
    if (err instanceof FanConfigError || err instanceof FanMappingError) throw badRequest(err.message);
    throw err;
  }
  return fan;
}
