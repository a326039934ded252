/**
 * Network changes are applied on every member before the API answers: this member reconciles
 * its own host, and asks every other online member to do the same (offline members catch up by
 * themselves when they are back). The failures come back by member.
 */
import { Injectable } from '@nestjs/common';
import { ClusterMembers } from '../cluster/cluster-members';
import { PeerClient } from '../cluster/peer-client';
import { Databases } from '../database/databases';
import { MemberIdentity } from '../identity/member-identity';
import { FanNetworks } from './fan-networks';

const SYNC_TIMEOUT_MS = 20_000;

@Injectable()
export class NetworkMembers {
  constructor(
    private readonly fan: FanNetworks,
    private readonly members: ClusterMembers,
    private readonly peers: PeerClient,
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
  ) {}

  /** Reconciles the networks on every reachable member; returns one line per failure. */
  async syncAll(): Promise<string[]> {
    const describe = (member: string, errors: Record<string, string>) => Object.entries(errors).map(([network, error]) => `member ${member}: network ${network}: ${error}`);
    const own = this.fan.syncNow().then((errors) => describe(this.identity.name, errors));
    if (!this.databases.clustered) return own;
    const threshold = await this.members.offlineThresholdMs();
    const others = (await this.members.records()).filter((r) => r.id !== this.identity.node.id && ClusterMembers.isOnline(r, threshold));
    const remote = others.map(async (r) => {
      try {
        const reply = await this.peers.lxd<{ errors: Record<string, string> }>(r.address, 'POST', '/internal/networks/sync', {}, { timeoutMs: SYNC_TIMEOUT_MS });
        return describe(r.name, reply.errors);
      } catch (err) {
        return [`member ${r.name}: ${(err as Error).message}`];
      }
    });
    return (await Promise.all([own, ...remote])).flat();
  }
}
