/**
 * The NICs of an instance: bridged veth devices, into the bridge a device names (`parent`) or into
 * a managed network's bridge (`network`, whose bridge carries the network's name). Each NIC's MAC
 * address and host-side veth name are chosen once, at creation, and kept as
 * `volatile.<device>.hwaddr` / `volatile.<device>.host_name`, as LXD does.
 */
import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { NicDevice } from '@app/runtime';
import { Databases } from '../database/databases';
import { badRequest } from '../http/lxd-error';
import type { Devices } from '../profiles/profile-store';
import { NicAddressing } from './nic-addressing';

function nicEntries(devices: Devices): Array<[string, Record<string, string>]> {
  return Object.entries(devices)
    .filter(([, d]) => d.type === 'nic')
    .sort(([a], [b]) => a.localeCompare(b));
}

@Injectable()
export class InstanceNics {
  constructor(
    private readonly databases: Databases,
    private readonly addressing: NicAddressing,
  ) {}

  /** Runs the allocation and recording of a new instance's NICs alone among allocations on this member. */
  reserve<T>(work: () => Promise<T>): Promise<T> {
    return this.addressing.reserve(work);
  }

  /** The volatile keys of the instance's NICs, chosen now (MAC, veth name, and an address where the network gives one). */
  async allocate(project: string, instance: string, devices: Devices, config: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, device] of nicEntries(devices)) {
      if (device.network) await this.assertNetwork(project, device.network, name);
      if (!device.hwaddr && !config[`volatile.${name}.hwaddr`]) out[`volatile.${name}.hwaddr`] = `00:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
      if (!device.host_name && !config[`volatile.${name}.host_name`]) out[`volatile.${name}.host_name`] = `veth${randomBytes(4).toString('hex')}`;
      Object.assign(out, await this.addressing.allocate(project, instance, name, device, { ...config, ...out }));
    }
    return out;
  }

  /** The NICs as the runtime creates them. */
  async devices(project: string, instance: string, devices: Devices, config: Readonly<Record<string, string>>): Promise<NicDevice[]> {
    const nics: NicDevice[] = [];
    for (const [name, device] of nicEntries(devices)) {
      const bridge = device.network ?? device.parent;
      if (!bridge) throw badRequest(`Device "${name}": a NIC needs a network or a parent bridge`);
      const mtu = device.mtu ? Number(device.mtu) : await this.addressing.mtu(project, device);
      const ipv4 = await this.addressing.ipv4(project, instance, name, device, config);
      nics.push({
        name: device.name || name,
        bridge,
        hostName: device.host_name || config[`volatile.${name}.host_name`],
        hwaddr: device.hwaddr || config[`volatile.${name}.hwaddr`],
        ...(mtu !== undefined ? { mtu } : {}),
        ...(ipv4 ? { ipv4 } : {}),
      });
    }
    return nics;
  }

  private async assertNetwork(project: string, network: string, device: string): Promise<void> {
    const rows = await this.databases.global.query(
      'SELECT 1 FROM networks n JOIN projects p ON p.id = n.project_id WHERE p.name = ? AND n.name = ?',
      [project, network],
    );
    if (rows.length === 0) throw badRequest(`Device "${device}": network "${network}" not found`);
  }
}
