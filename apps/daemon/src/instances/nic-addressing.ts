/**
 * Static IPv4 addresses for NICs on managed networks. The subnet a network gives this member (a
 * Fan's member subnet, e.g. `240.0.46.0/24`, with the bridge as gateway) is where each NIC gets the
 * lowest free address (.2 upwards), recorded as `volatile.<device>.ipv4.address` in the global
 * database, unless its device sets `ipv4.address` itself. Allocations on this member are
 * serialized until the instance's record is written (`reserve`), so that two creations never take
 * the same address.
 */
import { Injectable } from '@nestjs/common';
import { allocateFanAddress, cidrContains, FanAddressExhaustedError, parseIpv4, parseIpv4Cidr } from '@app/fan-network';
import type { NicIpv4 } from '@app/runtime';
import { Databases } from '../database/databases';
import { badRequest } from '../http/lxd-error';
import { MemberIdentity } from '../identity/member-identity';
import { type MemberSubnet, NetworkSubnets } from './network-subnets';

type NetworkAddressing = MemberSubnet;

@Injectable()
export class NicAddressing {
  private readonly reserved = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
    private readonly subnets: NetworkSubnets,
  ) {}

  /**
   * Runs `work` (which allocates and records addresses) alone among allocations on this member;
   * addresses handed out meanwhile stay reserved until it ends.
   */
  reserve<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.then(
      () => this.reserved.clear(),
      () => this.reserved.clear(),
    );
    return run;
  }

  /** The volatile address of a NIC on a managed network with an IPv4 subnet here (none otherwise). */
  async allocate(project: string, instance: string, device: string, config: Record<string, string>, current: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    if (!config.network) return {};
    const net = await this.network(project, config.network);
    if (!net) return {};
    const key = `volatile.${device}.ipv4.address`;
    if (config['ipv4.address']) {
      this.assertInSubnet(config['ipv4.address'], net, device);
      return {};
    }
    if (current[key]) return {};
    const used = await this.usedAddresses(net);
    let address: string;
    try {
      address = allocateFanAddress(net.subnet, [...used, ...this.reserved, net.gateway]);
    } catch (err) {
      if (err instanceof FanAddressExhaustedError) throw badRequest(`Cannot give instance "${instance}" an address on network "${config.network}": ${err.message}`);
      throw err;
    }
    this.reserved.add(address);
    return { [key]: address };
  }

  async mtu(project: string, config: Record<string, string>): Promise<number | undefined> {
    if (!config.network) return undefined;
    return (await this.network(project, config.network))?.mtu;
  }

  async ipv4(project: string, _instance: string, device: string, config: Record<string, string>, instanceConfig: Readonly<Record<string, string>>): Promise<NicIpv4 | undefined> {
    if (!config.network) return undefined;
    const net = await this.network(project, config.network);
    if (!net) return undefined;
    const address = config['ipv4.address'] || instanceConfig[`volatile.${device}.ipv4.address`];
    if (!address) return undefined;
    return { address, prefixLength: net.prefixLength, gateway: net.gateway };
  }

  private assertInSubnet(address: string, net: NetworkAddressing, device: string): void {
    let value: number;
    try {
      value = parseIpv4(address);
    } catch (err) {
      throw badRequest(`Device "${device}": invalid ipv4.address "${address}": ${(err as Error).message}`);
    }
    if (!cidrContains(parseIpv4Cidr(net.subnet), value)) throw badRequest(`Device "${device}": ipv4.address ${address} is outside the network's subnet ${net.subnet} on this member`);
    if (address === net.gateway) throw badRequest(`Device "${device}": ipv4.address ${address} is the network's own address`);
  }

  /** Addresses NICs of instances on this member already hold (recorded or set on their devices). */
  private async usedAddresses(net: NetworkAddressing): Promise<string[]> {
    const rows = await this.databases.global.query<{ value: string }>(
      `SELECT c.value FROM instances_config c JOIN instances i ON i.id = c.instance_id
       WHERE i.node_id = ? AND c.key LIKE 'volatile.%.ipv4.address'
       UNION ALL
       SELECT dc.value FROM instances_devices_config dc JOIN instances_devices d ON d.id = dc.instance_device_id
       JOIN instances i ON i.id = d.instance_id WHERE i.node_id = ? AND dc.key = 'ipv4.address'`,
      [this.identity.node.id, this.identity.node.id],
    );
    const subnet = parseIpv4Cidr(net.subnet);
    return rows.map((r) => r.value).filter((v) => {
      try {
        return cidrContains(subnet, parseIpv4(v));
      } catch {
        return false;
      }
    });
  }

  private network(project: string, name: string): Promise<NetworkAddressing | undefined> {
    return this.subnets.forMember(project, name);
  }
}
