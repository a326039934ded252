/**
 * Validation of NIC devices, and the values generated once at creation: the host-side veth name (LXD
 * style `veth` + 8 hex digits) and a MAC address in LXD's `00:16:3e` range. The broadcast address is
 * always written out, because LXC otherwise configures a wrong one.
 */
import { NicDevice, ResolvedNicDevice } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { broadcastAddress, parseIpv4, sameNetwork } from './ipv4';

export type RandomBytes = (size: number) => Buffer;

const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

function assertInterfaceName(value: string, what: string): void {
  if (typeof value !== 'string' || !INTERFACE_NAME.test(value) || value === '.' || value === '..') {
    throw new RuntimeError('InvalidArgument', `Invalid ${what} "${value}": use 1-15 letters, digits, dots, underscores or hyphens`);
  }
}

function resolveNic(nic: NicDevice, random: RandomBytes): ResolvedNicDevice {
  assertInterfaceName(nic.name, 'NIC name');
  assertInterfaceName(nic.bridge, `bridge of NIC ${nic.name}`);
  const hostName = nic.hostName ?? `veth${random(4).toString('hex')}`;
  assertInterfaceName(hostName, `host-side name of NIC ${nic.name}`);
  if (nic.mtu !== undefined && (!Number.isInteger(nic.mtu) || nic.mtu < 68 || nic.mtu > 65535)) {
    throw new RuntimeError('InvalidArgument', `Invalid MTU ${nic.mtu} for NIC ${nic.name}: expected 68-65535`);
  }
  const hwaddr = (nic.hwaddr ?? `00:16:3e:${[...random(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`).toLowerCase();
  if (!MAC.test(hwaddr) || (parseInt(hwaddr.slice(0, 2), 16) & 1) === 1) {
    throw new RuntimeError('InvalidArgument', `Invalid MAC address "${nic.hwaddr}" for NIC ${nic.name}: expected a unicast address like 00:16:3e:12:34:56`);
  }
  const resolved: ResolvedNicDevice = { name: nic.name, bridge: nic.bridge, hostName, hwaddr };
  if (nic.mtu !== undefined) resolved.mtu = nic.mtu;
  if (nic.ipv4) {
    const { address, prefixLength, gateway } = nic.ipv4;
    const what = `NIC ${nic.name}`;
    const addressValue = parseIpv4(address, what);
    if (!Number.isInteger(prefixLength) || prefixLength < 1 || prefixLength > 32) {
      throw new RuntimeError('InvalidArgument', `Invalid prefix length ${prefixLength} for ${what}: expected 1-32`);
    }
    const broadcast = nic.ipv4.broadcast ?? broadcastAddress(address, prefixLength);
    parseIpv4(broadcast, `the broadcast address of ${what}`);
    if (gateway !== undefined && !sameNetwork(parseIpv4(gateway, `the gateway of ${what}`), addressValue, prefixLength)) {
      throw new RuntimeError('InvalidArgument', `Gateway ${gateway} of ${what} is outside ${address}/${prefixLength}`);
    }
    resolved.ipv4 = { address, prefixLength, broadcast, ...(gateway !== undefined ? { gateway } : {}) };
  }
  return resolved;
}

export function resolveNics(nics: readonly NicDevice[], random: RandomBytes): ResolvedNicDevice[] {
  const resolved = nics.map((nic) => resolveNic(nic, random));
  for (const key of ['name', 'hostName', 'hwaddr'] as const) {
    const seen = new Set<string>();
    for (const nic of resolved) {
      if (seen.has(nic[key])) throw new RuntimeError('InvalidArgument', `Two NICs have the same ${key === 'name' ? 'name' : key === 'hostName' ? 'host-side name' : 'MAC address'} "${nic[key]}"`);
      seen.add(nic[key]);
    }
  }
  return resolved;
}
