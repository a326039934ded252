/**
 * Where a new instance goes in a cluster: the cluster's state as the scheduler sees it (members,
 * their status, groups, `scheduler.instance`, architectures, instance counts per member and per
 * `placement.group`, plus the creations this member has placed that are not in the database yet),
 * handed to the pure placement functions of libs/scheduler. With `scheduler.resource_aware` the
 * candidates' reported memory and CPU load rank them too.
 */
import { Injectable } from '@nestjs/common';
import {
  type ClusterState,
  type MemberResources,
  type MemberState,
  type PendingCreation,
  type Placement,
  PlacementError,
  placeInstance,
  type SchedulerInstance,
} from '@app/scheduler';
import { architectureName } from '../cluster/architectures';
import { ClusterMembers, MEMBER_STATE_EVACUATED } from '../cluster/cluster-members';
import { PeerClient } from '../cluster/peer-client';
import { ServerConfig } from '../config-keys/server-config.service';
import { LxdError } from '../http/lxd-error';
import { InstanceStore } from './instance-store';

/** Architectures a member of the given architecture runs (its personalities). */
export function memberArchitectures(arch: string): string[] {
  if (arch === 'x86_64') return ['x86_64', 'i686'];
  if (arch === 'aarch64') return ['aarch64', 'armv7l'];
  return [arch];
}

/** A placement decided here, until the instance's row is in the database. */
export interface PendingPlacement {
  release(): void;
}

@Injectable()
export class InstancePlacement {
  private readonly pending = new Map<number, PendingCreation>();
  private nextPending = 1;

  constructor(
    private readonly members: ClusterMembers,
    private readonly store: InstanceStore,
    private readonly config: ServerConfig,
    private readonly peers: PeerClient,
  ) {}

  /**
   * Chooses the member for an instance and counts it there until `release()` (call it once the
   * instance is recorded, or its creation failed).
   */
  async place(project: string, request: { target?: string; architecture: string; config: Record<string, string> }): Promise<{ member: string; address: string; pending: PendingPlacement }> {
    const records = await this.members.records();
    const threshold = await this.members.offlineThresholdMs();
    const counts = await this.store.placementCounts(project);
    const now = Date.now();
    const resourceAware = (await this.config.get('scheduler.resource_aware')) === 'true';
    const states: MemberState[] = records.map((r) => {
      const mine = counts.filter((c) => c.nodeId === r.id);
      const groups: Record<string, number> = {};
      for (const c of mine) if (c.group) groups[c.group] = (groups[c.group] ?? 0) + c.n;
      return {
        name: r.name,
        status: r.state === MEMBER_STATE_EVACUATED ? 'Evacuated' : ClusterMembers.isOnline(r, threshold, now) ? 'Online' : 'Offline',
        schedulerInstance: (r.config['scheduler.instance'] as SchedulerInstance | undefined) || 'all',
        architectures: memberArchitectures(architectureName(r.arch)),
        groups: r.groups,
        instances: mine.reduce((sum, c) => sum + c.n, 0),
        placementGroups: groups,
      };
    });
    if (resourceAware) await this.addResources(states, records);
    const cluster: ClusterState = { members: states, pending: [...this.pending.values()] };
    let placement: Placement;
    try {
      placement = placeInstance(cluster, { target: request.target, architecture: request.architecture, config: request.config }, { resourceAware });
    } catch (err) {
      if (err instanceof PlacementError) throw new LxdError(err.status, err.message);
      throw err;
    }
    const member = records.find((r) => r.name === placement.member);
    if (!member) throw new LxdError(500, `The scheduler chose an unknown member "${placement.member}"`);
    const id = this.nextPending++;
    this.pending.set(id, { member: member.name, ...(request.config['placement.group'] ? { placementGroup: request.config['placement.group'] } : {}) });
    return { member: member.name, address: member.address, pending: { release: () => this.pending.delete(id) } };
  }

  /** What each online member reports of its memory and CPU (members that do not answer in time report nothing). */
  private async addResources(states: MemberState[], records: Array<{ name: string; address: string }>): Promise<void> {
    await Promise.all(
      states
        .filter((s) => s.status === 'Online')
        .map(async (s) => {
          const address = records.find((r) => r.name === s.name)?.address;
          if (!address) return;
          try {
            s.resources = await this.peers.lxd<MemberResources>(address, 'GET', '/internal/instances/resources', undefined, { timeoutMs: 1000 });
          } catch {
            // Ranked without a resource score.
          }
        }),
    );
  }
}
