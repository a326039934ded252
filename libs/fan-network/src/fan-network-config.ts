/**
 * The configuration of one Fan network as the reconciler uses it, with its defaults, and the
 * conversion from the LXD-style keys stored in the global database (`fan.overlay_subnet`,
 * `fan.underlay_subnet`, `bridge.mtu`, `ipv4.nat`, ...).
 */
import { FanConfigError } from './fan-errors';
import { DEFAULT_FAN_OVERLAY_SUBNET, MIN_FAN_MTU } from './fan-mapping';

/** Route protocol number that marks the routes a Fan network installs (not used by iproute2's list). */
export const DEFAULT_FAN_ROUTE_PROTOCOL = 250;
/** The VXLAN UDP port; LXD's Fan uses the Linux default 8472, not the IANA 4789. */
export const FAN_VXLAN_PORT = 8472;
/** Longest interface name Linux accepts (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME_LENGTH = 15;

export interface FanNetworkConfig {
  /** The bridge containers attach to, e.g. "lxdfan0". */
  readonly bridgeName: string;
  /** The VXLAN device, e.g. "lxdfan0-fan". */
  readonly vxlanName: string;
  /** `fan.overlay_subnet`, e.g. 240.0.0.0/8. */
  readonly overlaySubnet: string;
  /** `fan.underlay_subnet`: a network, or "auto" for the subnet of the member's own address. */
  readonly underlaySubnet: string;
  /** `bridge.mtu`; when absent the underlay interface's MTU less the VXLAN overhead. */
  readonly mtu?: number;
  /** `ipv4.nat`: masquerade traffic from the member subnet that leaves through other interfaces. */
  readonly nat: boolean;
  /** Route protocol number marking this network's routes. */
  readonly routeProtocol: number;
}

export interface FanNetworkSettings {
  readonly bridgeName: string;
  readonly vxlanName?: string;
  readonly overlaySubnet?: string;
  readonly underlaySubnet?: string;
  readonly mtu?: number;
  readonly nat?: boolean;
  readonly routeProtocol?: number;
}

const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function checkInterfaceName(name: string, key: string): void {
  if (name.length > MAX_INTERFACE_NAME_LENGTH || !INTERFACE_NAME.test(name)) {
    throw new FanConfigError(
      `${key} "${name}" is not a usable interface name: it needs 1-${MAX_INTERFACE_NAME_LENGTH} characters, ` +
        `letters, digits, "-" and "_", starting with a letter or digit`,
      key,
    );
  }
}

/** Fills in the defaults and validates names, MTU and route protocol. */
export function fanNetworkConfig(settings: FanNetworkSettings): FanNetworkConfig {
  checkInterfaceName(settings.bridgeName, 'bridgeName');
  const vxlanName = settings.vxlanName ?? `${settings.bridgeName}-fan`;
  if (settings.vxlanName === undefined && vxlanName.length > MAX_INTERFACE_NAME_LENGTH) {
    throw new FanConfigError(
      `the VXLAN device name "${vxlanName}" derived from bridge "${settings.bridgeName}" is longer than ` +
        `${MAX_INTERFACE_NAME_LENGTH} characters; use a bridge name of at most ${MAX_INTERFACE_NAME_LENGTH - 4} characters or name the VXLAN device`,
      'vxlanName',
    );
  }
  checkInterfaceName(vxlanName, 'vxlanName');
  if (vxlanName === settings.bridgeName) {
    throw new FanConfigError(`the bridge and the VXLAN device cannot both be named "${vxlanName}"`, 'vxlanName');
  }
  if (settings.mtu !== undefined && (!Number.isInteger(settings.mtu) || settings.mtu < MIN_FAN_MTU || settings.mtu > 65535)) {
    throw new FanConfigError(
      `bridge.mtu ${settings.mtu} is not a valid Fan MTU (an integer from ${MIN_FAN_MTU} to 65535)`,
      'bridge.mtu',
    );
  }
  const routeProtocol = settings.routeProtocol ?? DEFAULT_FAN_ROUTE_PROTOCOL;
  if (!Number.isInteger(routeProtocol) || routeProtocol < 5 || routeProtocol > 255) {
    throw new FanConfigError(
      `route protocol ${routeProtocol} is not usable: it must be an integer from 5 to 255 (0-4 belong to the kernel)`,
      'routeProtocol',
    );
  }
  return {
    bridgeName: settings.bridgeName,
    vxlanName,
    overlaySubnet: settings.overlaySubnet ?? DEFAULT_FAN_OVERLAY_SUBNET,
    underlaySubnet: settings.underlaySubnet ?? 'auto',
    ...(settings.mtu !== undefined ? { mtu: settings.mtu } : {}),
    nat: settings.nat ?? false,
    routeProtocol,
  };
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off', ''];

function lxdBoolean(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new FanConfigError(`${key}="${value}" is not a boolean (use true or false)`, key);
}

/**
 * Reads a Fan network from LXD-style configuration: the network name is the bridge name, the
 * VXLAN device is "<name>-fan". Keys other than the Fan's own are left to their owners.
 */
export function fanNetworkConfigFromLxd(
  networkName: string,
  config: Readonly<Record<string, string | undefined>>,
): FanNetworkConfig {
  const mode = config['bridge.mode'];
  if (mode !== undefined && mode !== 'fan') {
    throw new FanConfigError(`network "${networkName}": bridge.mode="${mode}" is not a Fan network (expected "fan")`, 'bridge.mode');
  }
  const type = config['fan.type'];
  if (type !== undefined && type !== '' && type !== 'vxlan') {
    throw new FanConfigError(
      `network "${networkName}": fan.type="${type}" is not supported; only "vxlan" is (the ipip Fan needs Ubuntu's fan-map kernel patch)`,
      'fan.type',
    );
  }
  const driver = config['bridge.driver'];
  if (driver !== undefined && driver !== '' && driver !== 'native') {
    throw new FanConfigError(`network "${networkName}": bridge.driver="${driver}" is not supported (only "native")`, 'bridge.driver');
  }
  let mtu: number | undefined;
  const mtuText = config['bridge.mtu'];
  if (mtuText !== undefined && mtuText !== '') {
    if (!/^[0-9]+$/.test(mtuText)) {
      throw new FanConfigError(`network "${networkName}": bridge.mtu="${mtuText}" is not a number`, 'bridge.mtu');
    }
    mtu = Number(mtuText);
  }
  const overlay = config['fan.overlay_subnet'];
  const underlay = config['fan.underlay_subnet'];
  const nat = lxdBoolean('ipv4.nat', config['ipv4.nat']);
  return fanNetworkConfig({
    bridgeName: networkName,
    ...(overlay ? { overlaySubnet: overlay } : {}),
    ...(underlay ? { underlaySubnet: underlay } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
    ...(nat !== undefined ? { nat } : {}),
  });
}
