/**
 * Instance configuration and devices: which keys and device types Cubed runs, checked before
 * anything is stored, and the expansion of profiles (LXD's `expanded_config`/`expanded_devices`:
 * the profiles in order, then the instance's own values on top).
 *
 * A key Cubed would store without acting on it is refused, so that nothing looks configured that
 * is not.
 */
import { parseInstanceLimits, RuntimeError } from '@app/runtime';
import { badRequest } from '../http/lxd-error';
import type { Devices } from '../profiles/profile-store';

/** Keys taken as they are (their value is free text). */
const FREE_PREFIXES = ['user.', 'environment.', 'image.', 'cloud-init.'];

const BOOLEAN_KEYS = new Set(['security.privileged', 'boot.autostart', 'limits.memory.swap']);
const INTEGER_KEYS = new Set(['boot.autostart.delay', 'boot.autostart.priority', 'boot.host_shutdown_timeout', 'boot.stop.priority']);
const OTHER_KEYS = new Set(['limits.cpu', 'limits.cpu.allowance', 'limits.memory', 'limits.memory.enforce', 'limits.processes', 'placement.group']);

/** Keys that cannot change once the instance exists. */
export const CREATION_ONLY_KEYS: ReadonlySet<string> = new Set(['security.privileged']);

export const ROOT_DISK = 'root';

/** Whether `key` is a volatile key: state Cubed records, not settings. */
export function isVolatile(key: string): boolean {
  return key.startsWith('volatile.');
}

function checkKey(key: string, value: string, where: string): void {
  if (FREE_PREFIXES.some((p) => key.startsWith(p) && key.length > p.length)) return;
  if (BOOLEAN_KEYS.has(key)) {
    if (!['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''].includes(value.toLowerCase())) {
      throw badRequest(`Invalid ${where}: "${key}": invalid value "${value}": expected a boolean`);
    }
    return;
  }
  if (INTEGER_KEYS.has(key)) {
    if (value !== '' && !/^-?\d+$/.test(value)) throw badRequest(`Invalid ${where}: "${key}": invalid value "${value}": expected an integer`);
    return;
  }
  if (OTHER_KEYS.has(key)) return;
  throw badRequest(`Invalid ${where}: Unknown configuration key: ${key}`);
}

/** Truth of an LXD boolean config value. */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes', 'on'].includes(value.toLowerCase());
}

/**
 * Checks an instance's own config (volatile keys are not for users: `allowedVolatile` are the ones
 * the instance already has, which a client may send back unchanged).
 */
export function validInstanceConfig(config: unknown, allowedVolatile: Readonly<Record<string, string>> = {}): Record<string, string> {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) throw badRequest('config must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (typeof value !== 'string') throw badRequest(`Invalid value for config key "${key}": expected a string`);
    if (isVolatile(key)) {
      if (allowedVolatile[key] !== value) throw badRequest(`Invalid config: Volatile key "${key}" cannot be set`);
      continue;
    }
    checkKey(key, value, 'config');
    out[key] = value;
  }
  return out;
}

/** Checks the expanded config as a whole (limits that only make sense together, values against the host). */
export function checkExpandedConfig(config: Readonly<Record<string, string>>, hostMemoryBytes: number): void {
  for (const [key, value] of Object.entries(config)) if (!isVolatile(key)) checkKey(key, value, 'expanded config');
  checkLimits(config, () => hostMemoryBytes);
}

/**
 * Checks a profile's config: the keys an instance's own config may hold, with valid values, but
 * no volatile keys (those are an instance's state). `hostMemoryBytes` is asked only when there are
 * limits to check (os.totalmem() reads /proc/meminfo).
 */
export function checkProfileConfig(config: Readonly<Record<string, string>>, hostMemoryBytes: () => number): void {
  for (const [key, value] of Object.entries(config)) {
    if (isVolatile(key)) throw badRequest(`Invalid config: Volatile keys can only be set on instances: "${key}"`);
    checkKey(key, value, 'config');
  }
  checkLimits(config, hostMemoryBytes);
}

function checkLimits(config: Readonly<Record<string, string>>, hostMemoryBytes: () => number): void {
  if (!Object.keys(config).some((key) => key.startsWith('limits.'))) return;
  try {
    parseInstanceLimits(config, hostMemoryBytes());
  } catch (err) {
    if (err instanceof RuntimeError) throw badRequest(`Invalid config: ${err.message}`);
    throw err;
  }
}

const DISK_KEYS = new Set(['type', 'path', 'pool', 'size']);
const NIC_KEYS = new Set(['type', 'nictype', 'network', 'parent', 'name', 'hwaddr', 'mtu', 'host_name', 'ipv4.address']);

/** Checks the devices of an instance or profile against what Cubed runs. */
export function checkDevices(devices: Devices, where: string): void {
  for (const [name, device] of Object.entries(devices)) {
    if (device.type === 'disk') {
      for (const key of Object.keys(device)) if (!DISK_KEYS.has(key)) throw badRequest(`Invalid ${where}: device "${name}": unsupported disk option "${key}"`);
      if (device.path !== '/') throw badRequest(`Invalid ${where}: device "${name}": only the root disk (path "/") is supported`);
      if (!device.pool) throw badRequest(`Invalid ${where}: device "${name}": the root disk needs a pool`);
      if (device.size !== undefined && device.size !== '') throw badRequest(`Invalid ${where}: device "${name}": the dir storage driver has no size limit`);
    } else if (device.type === 'nic') {
      for (const key of Object.keys(device)) if (!NIC_KEYS.has(key)) throw badRequest(`Invalid ${where}: device "${name}": unsupported nic option "${key}"`);
      const nictype = device.nictype ?? (device.network ? 'bridged' : '');
      if (nictype !== 'bridged') throw badRequest(`Invalid ${where}: device "${name}": only bridged NICs are supported (nictype "bridged" or a network)`);
      if (!device.network && !device.parent) throw badRequest(`Invalid ${where}: device "${name}": a NIC needs a network or a parent bridge`);
      if (device.mtu !== undefined && !/^\d+$/.test(device.mtu)) throw badRequest(`Invalid ${where}: device "${name}": invalid mtu "${device.mtu}"`);
    } else if (device.type === 'none') {
      continue;
    } else {
      throw badRequest(`Invalid ${where}: device "${name}": device type "${device.type}" is not supported`);
    }
  }
  const roots = Object.entries(devices).filter(([, d]) => d.type === 'disk' && d.path === '/');
  if (roots.length > 1) throw badRequest(`Invalid ${where}: more than one root disk (${roots.map(([n]) => n).join(', ')})`);
}

export interface ProfileContent {
  name: string;
  config: Record<string, string>;
  devices: Devices;
}

/** The config and devices in effect: the profiles in order, then the instance's own values. */
export function expand(
  profiles: readonly ProfileContent[],
  config: Readonly<Record<string, string>>,
  devices: Devices,
): { config: Record<string, string>; devices: Devices } {
  const expandedConfig: Record<string, string> = {};
  const expandedDevices: Devices = {};
  for (const profile of profiles) {
    Object.assign(expandedConfig, profile.config);
    for (const [name, device] of Object.entries(profile.devices)) expandedDevices[name] = { ...device };
  }
  Object.assign(expandedConfig, config);
  for (const [name, device] of Object.entries(devices)) expandedDevices[name] = { ...device };
  // A device of type "none" masks the profile device of the same name.
  for (const [name, device] of Object.entries(expandedDevices)) if (device.type === 'none') delete expandedDevices[name];
  return { config: expandedConfig, devices: expandedDevices };
}

/**
 * The config and devices in effect (see expand), checked as a whole: keys and limits, devices Cubed
 * runs, and a root disk.
 */
export function checkedExpansion(
  profiles: readonly ProfileContent[],
  config: Readonly<Record<string, string>>,
  devices: Devices,
  hostMemoryBytes: number,
): { config: Record<string, string>; devices: Devices } {
  const expanded = expand(profiles, config, devices);
  checkExpandedConfig(expanded.config, hostMemoryBytes);
  checkDevices(expanded.devices, 'expanded devices');
  rootDisk(expanded.devices);
  return expanded;
}

/** The root disk in effect: its device name and pool; an error when there is none. */
export function rootDisk(devices: Devices): { name: string; pool: string } {
  const root = Object.entries(devices).find(([, d]) => d.type === 'disk' && d.path === '/');
  if (!root) throw badRequest('Failed initialising instance: Failed getting root disk: No root device could be found');
  return { name: root[0], pool: root[1].pool };
}
