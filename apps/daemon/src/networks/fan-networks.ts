/**
 * This member's side of the Fan networks: every few seconds it derives, from its copy of the
 * global database, what each Fan network should look like here (the network's config, and every
 * member that has it with its underlay address, i.e. the host part of its cluster address), and
 * when that changed, or at least every half minute, reconciles the host with libs/fan-network (the
 * VXLAN device, the bridge, sysctls, and per peer an FDB entry, a neighbour and a route, applied
 * with `ip -batch` and read back). Networks that are gone are torn down; what was set up is
 * remembered in `<state dir>/fan-networks.json` so that a network deleted while the daemon was
 * down is removed at the next start. It also tells NIC addressing which subnet a network gives
 * this member.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type FanDesiredState, type FanMember, FanReconciler, fanNetworkConfig, type FanNetworkConfig } from '@app/fan-network';
import { splitHostPort } from '@app/db';
import { Databases } from '../database/databases';
import { badRequest } from '../http/lxd-error';
import { MemberIdentity, STANDALONE_NODE } from '../identity/member-identity';
import { StateDir } from '../identity/state-dir';
import { type MemberSubnet, NetworkSubnets } from '../instances/network-subnets';
import { fanOf, isFan } from './network-config';
import { NETWORK_CREATED, type NetworkRecord, NetworkStore } from './network-store';

const TICK_MS = 2000;
const REFRESH_MS = 30_000;
const APPLIED_FILE = 'fan-networks.json';

interface Applied {
  bridgeName: string;
  vxlanName: string;
  routeProtocol: number;
}

export interface FanMemberStatus {
  /** The last reconciliation's error on this member, if it failed. */
  error?: string;
  desired?: FanDesiredState;
}

@Injectable()
export class FanNetworks extends NetworkSubnets implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Networks');
  /** Runs `ip` and `nft` in the daemon's own network namespace. */
  private readonly reconciler = FanReconciler.forNetns();
  private readonly lastInput = new Map<string, { key: string; at: number }>();
  private readonly status = new Map<string, FanMemberStatus>();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly store: NetworkStore,
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
    private readonly stateDir: StateDir,
  ) {
    super();
    this.identity.onRefresh(() => this.adoptClusterNetworks());
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    setImmediate(() => void this.tick());
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The state of a network on this member, as of its last reconciliation. */
  memberStatus(name: string): FanMemberStatus | undefined {
    return this.status.get(name);
  }

  async forMember(project: string, name: string): Promise<MemberSubnet | undefined> {
    const network = await this.store.find(project, name);
    if (!network || !isFan(network.config)) return undefined;
    if (network.state !== NETWORK_CREATED) throw badRequest(`Network "${name}" is pending: create it for the whole cluster first`);
    if (!network.members.has(this.identity.node.id)) throw badRequest(`Network "${name}" is not available on member "${this.identity.name}"`);
    const cached = this.status.get(network.name);
    const upToDate = cached?.desired && !cached.error && this.lastInput.get(network.name)?.key === this.inputKey(network);
    const desired = upToDate ? cached.desired! : await this.reconcileNow(network);
    return {
      subnet: desired.self.subnet,
      gateway: desired.self.bridgeAddress,
      prefixLength: desired.self.addressPrefixLength,
      mtu: desired.bridge.mtu,
    };
  }

  /** Checks a new network against this member's host: the plan must be possible here. */
  async check(network: Pick<NetworkRecord, 'name' | 'config'>, members: FanMember[]): Promise<void> {
    const fan = fanOf(network.name, network.config);
    try {
      await this.reconciler.plan({ network: fan, members, self: this.identity.location });
    } catch (err) {
      throw badRequest(`Network "${network.name}" cannot be set up on member "${this.identity.name}": ${(err as Error).message}`);
    }
  }

  /** Brings one network to its desired state here now, and returns that state. */
  async reconcileNow(network: NetworkRecord): Promise<FanDesiredState> {
    const request = { network: fanOf(network.name, network.config), members: this.membersOf(network), self: this.identity.location };
    try {
      await this.reconciler.reconcile(request);
      const { desired } = await this.reconciler.plan(request);
      this.remember(request.network);
      this.status.set(network.name, { desired });
      this.lastInput.set(network.name, { key: this.inputKey(network), at: Date.now() });
      return desired;
    } catch (err) {
      this.status.set(network.name, { error: (err as Error).message });
      throw badRequest(`Network "${network.name}" on member "${this.identity.name}": ${(err as Error).message}`);
    }
  }

  /** Removes a network's devices and entries from this host. */
  async teardown(network: FanNetworkConfig): Promise<void> {
    await this.reconciler.teardown(network);
    this.forget(network.bridgeName);
    this.status.delete(network.bridgeName);
    this.lastInput.delete(network.bridgeName);
  }

  /** The members of a network with their underlay addresses (this member's copy of the database). */
  membersOf(network: Pick<NetworkRecord, 'members'>): FanMember[] {
    if (!this.databases.clustered) return [{ name: STANDALONE_NODE.name, underlayAddress: this.standaloneAddress() }];
    const nodes = this.databases.global.stateMachine.query<{ id: number; name: string; address: string }>('SELECT id, name, address FROM nodes ORDER BY name');
    return nodes.filter((n) => network.members.has(Number(n.id))).map((n) => ({ name: n.name, underlayAddress: splitHostPort(n.address).host }));
  }

  /** Every member in the cluster, for checking a network before it is created. */
  allMembers(): FanMember[] {
    if (!this.databases.clustered) return [{ name: STANDALONE_NODE.name, underlayAddress: this.standaloneAddress() }];
    const nodes = this.databases.global.stateMachine.query<{ name: string; address: string }>('SELECT name, address FROM nodes ORDER BY name');
    return nodes.map((n) => ({ name: n.name, underlayAddress: splitHostPort(n.address).host }));
  }

  private inputKey(network: NetworkRecord): string {
    return JSON.stringify({ network: fanOf(network.name, network.config), members: this.membersOf(network), self: this.identity.location });
  }

  private standaloneAddress(): string {
    const address = this.databases.local.getConfig('core.https_address') ?? '';
    const host = address ? splitHostPort(address).host : '';
    if (!host || host === '0.0.0.0' || host === '::') {
      throw badRequest('A Fan network needs this server\'s address on the underlay network: set core.https_address to a specific address');
    }
    return host;
  }

  /**
   * Reconciles every network here now, as of a linearizable read (so that a change just committed
   * anywhere is seen), and returns the errors by network name.
   */
  async syncNow(): Promise<Record<string, string>> {
    await this.databases.global.query('SELECT 1');
    // A round already running may have read the database before the change: let it end first.
    await this.tick();
    this.lastInput.clear();
    await this.tick();
    const errors: Record<string, string> = {};
    for (const [name, status] of this.status) if (status.error) errors[name] = status.error;
    return errors;
  }

  private tick(): Promise<void> {
    this.ticking ??= this.reconcileAll().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async reconcileAll(): Promise<void> {
    let networks: NetworkRecord[];
    try {
      networks = this.store.listLocally().filter((n) => isFan(n.config) && n.members.has(this.identity.node.id));
    } catch {
      return; // the database is not open (yet)
    }
    const wanted = new Set(networks.map((n) => n.name));
    for (const network of networks) {
      let key: string;
      try {
        key = this.inputKey(network);
      } catch (err) {
        this.report(network.name, (err as Error).message);
        continue;
      }
      const last = this.lastInput.get(network.name);
      if (last && last.key === key && Date.now() - last.at < REFRESH_MS && !this.status.get(network.name)?.error) continue;
      try {
        await this.reconcileNow(network);
      } catch (err) {
        this.report(network.name, (err as Error).message);
      }
    }
    for (const applied of this.applied()) {
      if (wanted.has(applied.bridgeName)) continue;
      try {
        await this.teardown(fanNetworkConfig({ bridgeName: applied.bridgeName, vxlanName: applied.vxlanName, routeProtocol: applied.routeProtocol }));
        this.logger.log(`network ${applied.bridgeName} removed from this member`);
      } catch (err) {
        this.report(applied.bridgeName, `tearing down: ${(err as Error).message}`);
      }
    }
  }

  private readonly reported = new Map<string, string>();

  private report(name: string, message: string): void {
    if (this.reported.get(name) === message) return;
    this.reported.set(name, message);
    this.logger.warn(`network ${name}: ${message}`);
  }

  /** A member that joined gets its row for every created network. */
  private async adoptClusterNetworks(): Promise<void> {
    if (!this.databases.clustered) return;
    const projects = await this.databases.global.query<{ name: string }>('SELECT name FROM projects');
    for (const p of projects) {
      for (const network of await this.store.list(p.name)) {
        if (network.state === NETWORK_CREATED && !network.members.has(this.identity.node.id)) await this.store.addMember(network, this.identity.node.id);
      }
    }
  }

  private appliedPath(): string {
    return path.join(this.stateDir.path, APPLIED_FILE);
  }

  private applied(): Applied[] {
    try {
      return JSON.parse(fs.readFileSync(this.appliedPath(), 'utf8')) as Applied[];
    } catch {
      return [];
    }
  }

  private remember(network: FanNetworkConfig): void {
    const current = this.applied();
    if (current.some((a) => a.bridgeName === network.bridgeName && a.vxlanName === network.vxlanName && a.routeProtocol === network.routeProtocol)) return;
    const list = current.filter((a) => a.bridgeName !== network.bridgeName);
    list.push({ bridgeName: network.bridgeName, vxlanName: network.vxlanName, routeProtocol: network.routeProtocol });
    this.save(list);
  }

  private forget(bridgeName: string): void {
    this.save(this.applied().filter((a) => a.bridgeName !== bridgeName));
  }

  private save(list: Applied[]): void {
    const file = this.appliedPath();
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(list, null, 2));
    fs.renameSync(`${file}.tmp`, file);
  }
}
