/**
 * What the database leader does for the cluster, while it leads:
 * - heartbeats every `cluster.offline_threshold` / 2 seconds to every member (carrying the Raft
 *   members, which members keep in their local database), recording in `nodes.heartbeat` who
 *   answered: a member whose heartbeat is older than the threshold shows Offline; while a
 *   heartbeat fails, the leader keeps an "Offline cluster member" warning (/1.0/warnings) open;
 * - role rebalancing every second (role-planner.ts), from Raft-level reachability, so that a lost
 *   voter is replaced within seconds, independently of the (slower) Offline status.
 */
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { NotLeaderError } from '@app/db';
import { RaftError, Role } from '@app/raft';
import { ServerConfig } from '../config-keys/server-config.service';
import { Databases } from '../database/databases';
import { ClusterMembers, MEMBER_STATE_EVACUATED } from './cluster-members';
import { PeerClient } from './peer-client';
import { currentRaftMembers, rememberRaftMembers, toRaftMemberJson } from './raft-members';
import { planRoleChange } from './role-planner';
import { WarningStore } from '../warnings/warning-store';
import { OFFLINE_CLUSTER_MEMBER } from '../warnings/warning-types';

/** A member counts as dead for rebalancing after being unreachable this long (ms). */
const DEAD_AFTER_MS = 1500;

@Injectable()
export class ClusterLeader implements OnApplicationShutdown {
  private readonly logger = new Logger('Cluster');
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastHeartbeat = 0;
  private heartbeating = false;
  private rebalancing = false;
  private readonly unreachableSince = new Map<number, number>();

  constructor(
    private readonly databases: Databases,
    private readonly members: ClusterMembers,
    private readonly config: ServerConfig,
    private readonly peers: PeerClient,
    private readonly warnings: WarningStore,
  ) {}

  /** Starts the periodic work (it does nothing on members that are not the leader). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), 500);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs one heartbeat round now (used right after membership changes and by tests). */
  async heartbeatNow(): Promise<void> {
    this.lastHeartbeat = 0;
    await this.heartbeat();
  }

  private tick(): void {
    if (this.stopped || !this.databases.clustered || !this.databases.cluster.driver.isLeader()) {
      this.unreachableSince.clear();
      return;
    }
    void this.rebalance();
    void this.heartbeat();
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeating) return;
    const thresholdMs = await this.members.offlineThresholdMs().catch(() => 20_000);
    const interval = Math.max(1000, thresholdMs / 2);
    if (Date.now() - this.lastHeartbeat < interval) return;
    this.heartbeating = true;
    this.lastHeartbeat = Date.now();
    // A member that answers was alive when it was asked: its heartbeat is recorded as of then, not
    // as of the end of the round (which waits for the slowest member), so that a member that dies
    // right after answering shows Offline no later than one threshold after it died.
    const askedAt = new Date(this.lastHeartbeat).toISOString();
    try {
      const records = await this.members.records();
      const names = new Map(records.map((r) => [r.id, { name: r.name, address: r.address }]));
      const raft = currentRaftMembers(this.databases, names);
      rememberRaftMembers(this.databases.local, this.databases, raft);
      const payload = { members: raft.map(toRaftMemberJson) };
      const selfId = this.databases.cluster.driver.id;
      const failures: string[] = [];
      const answered = await Promise.all(
        records.map(async (r) => {
          if (r.id === selfId) return r.id;
          try {
            await this.peers.lxd(r.address, 'POST', '/internal/cluster/heartbeat', payload, { timeoutMs: Math.min(interval, 3000) });
            return r.id;
          } catch (err) {
            failures.push(`Failed to send heartbeat request to member ${r.name} (${r.address}): ${(err as Error).message}`);
            return undefined;
          }
        }),
      );
      const ids = answered.filter((id): id is number => id !== undefined);
      if (ids.length > 0 && this.databases.cluster.driver.isLeader()) {
        await this.databases.global.exec({
          statements: [{ sql: `UPDATE nodes SET heartbeat = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, params: [askedAt, ...ids] }],
        });
      }
      // As LXD: the member that sends heartbeats warns while some fail, and a round that reaches
      // every member resolves its warning.
      if (this.databases.cluster.driver.isLeader()) {
        if (failures.length > 0) await this.warnings.raise(selfId, OFFLINE_CLUSTER_MEMBER, failures.join('; '));
        else await this.warnings.resolve(selfId, OFFLINE_CLUSTER_MEMBER);
      }
    } catch (err) {
      if (!(err instanceof NotLeaderError)) this.logger.warn(`heartbeat round failed: ${(err as Error).message}`);
    } finally {
      this.heartbeating = false;
    }
  }

  private async rebalance(): Promise<void> {
    if (this.rebalancing) return;
    this.rebalancing = true;
    try {
      const db = this.databases.global;
      const st = db.status();
      const now = Date.now();
      const evacuated = new Set(
        db.stateMachine.query<{ id: number }>('SELECT id FROM nodes WHERE state = ?', [MEMBER_STATE_EVACUATED]).map((r) => r.id),
      );
      const liveness = st.members.map((m) => {
        if (m.reachable) this.unreachableSince.delete(m.id);
        else if (!this.unreachableSince.has(m.id)) this.unreachableSince.set(m.id, now);
        const since = this.unreachableSince.get(m.id);
        const dead = since !== undefined && now - since >= DEAD_AFTER_MS;
        return { id: m.id, role: m.role, live: !dead && !(evacuated.has(m.id) && m.id !== st.id) };
      });
      const maxVoters = Number((await this.config.get('cluster.max_voters')) ?? '3');
      const maxStandby = Number((await this.config.get('cluster.max_standby')) ?? '2');
      const change = planRoleChange(liveness, st.id, maxVoters, maxStandby);
      if (!change) return;
      await db.assignRole(change.id, change.role, 5000);
      this.logger.log(`member ${this.nameOf(change.id)} is now ${roleLabel(change.role)}: ${change.reason}`);
      this.lastHeartbeat = 0; // tell every member the new roles soon
    } catch (err) {
      // Not caught up yet, another change pending, leadership moving: the next tick tries again.
      if (!(err instanceof RaftError || err instanceof NotLeaderError || /caught up|pending|not the database leader/i.test((err as Error).message))) {
        this.logger.warn(`role rebalancing: ${(err as Error).message}`);
      }
    } finally {
      this.rebalancing = false;
    }
  }

  private nameOf(id: number): string {
    return this.databases.local.raftNodes().find((n) => n.id === id)?.name || `#${id}`;
  }
}

function roleLabel(role: Role): string {
  return role === Role.Voter ? 'a database voter' : role === Role.Standby ? 'a database standby' : 'a spare';
}
