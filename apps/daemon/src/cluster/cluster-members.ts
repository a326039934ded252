/**
 * Cluster members as the API shows them (GET /1.0/cluster/members): the `nodes` table with each
 * member's groups, failure domain and config, its database role from the Raft membership
 * (database-leader, database, database-standby, or none for a spare), and its status from the
 * last heartbeat the leader recorded (Online / Offline after `cluster.offline_threshold` seconds
 * without one / Evacuated).
 */
import { Injectable } from '@nestjs/common';
import { Role } from '@app/raft';
import { ServerConfig } from '../config-keys/server-config.service';
import { Databases } from '../database/databases';
import { notFound } from '../http/lxd-error';
import { architectureName } from './architectures';

export const MEMBER_STATE_CREATED = 0;
export const MEMBER_STATE_EVACUATED = 1;

export interface MemberRecord {
  id: number;
  name: string;
  description: string;
  address: string;
  arch: number;
  heartbeat: string | null;
  state: number;
  failureDomain: string;
  groups: string[];
  config: Record<string, string>;
}

export interface ClusterMemberJson {
  server_name: string;
  url: string;
  database: boolean;
  status: 'Online' | 'Offline' | 'Evacuated';
  message: string;
  architecture: string;
  roles: string[];
  failure_domain: string;
  description: string;
  config: Record<string, string>;
  groups: string[];
}

/** The database roles LXD reports for a Raft role. */
export function databaseRoles(role: Role | undefined, leader: boolean): string[] {
  if (role === Role.Voter) return leader ? ['database-leader', 'database'] : ['database'];
  if (role === Role.Standby) return ['database-standby'];
  return [];
}

@Injectable()
export class ClusterMembers {
  constructor(
    private readonly databases: Databases,
    private readonly config: ServerConfig,
  ) {}

  async records(): Promise<MemberRecord[]> {
    const [nodes, groups, configs] = await this.databases.global.read(async (db) => [
      await db.query<{ id: number; name: string; description: string; address: string; arch: number; heartbeat: string | null; state: number; fd: string | null }>(
        `SELECT nodes.id, nodes.name, nodes.description, nodes.address, nodes.arch, nodes.heartbeat, nodes.state, nodes_failure_domains.name AS fd
         FROM nodes LEFT JOIN nodes_failure_domains ON nodes_failure_domains.id = nodes.failure_domain_id ORDER BY nodes.name`,
      ),
      await db.query<{ node_id: number; name: string }>(
        'SELECT nodes_cluster_groups.node_id, cluster_groups.name FROM nodes_cluster_groups JOIN cluster_groups ON cluster_groups.id = nodes_cluster_groups.group_id ORDER BY cluster_groups.name',
      ),
      await db.query<{ node_id: number; key: string; value: string }>('SELECT node_id, key, value FROM nodes_config ORDER BY key'),
    ] as const);
    return nodes.map((n) => ({
      id: n.id,
      name: n.name,
      description: n.description,
      address: n.address,
      arch: n.arch,
      heartbeat: n.heartbeat,
      state: n.state,
      failureDomain: n.fd ?? 'default',
      groups: groups.filter((g) => g.node_id === n.id).map((g) => g.name),
      config: Object.fromEntries(configs.filter((c) => c.node_id === n.id).map((c) => [c.key, c.value])),
    }));
  }

  async list(): Promise<ClusterMemberJson[]> {
    const [records, threshold] = await Promise.all([this.records(), this.offlineThresholdMs()]);
    return records.map((r) => this.toJson(r, threshold));
  }

  async get(name: string): Promise<ClusterMemberJson> {
    const record = (await this.records()).find((r) => r.name === name);
    if (!record) throw notFound('Cluster member not found');
    return this.toJson(record, await this.offlineThresholdMs());
  }

  async record(name: string): Promise<MemberRecord> {
    const record = (await this.records()).find((r) => r.name === name);
    if (!record) throw notFound('Cluster member not found');
    return record;
  }

  async offlineThresholdMs(): Promise<number> {
    return Number((await this.config.get('cluster.offline_threshold')) ?? '20') * 1000;
  }

  /** Whether the member's last heartbeat is recent enough for it to count as online. */
  static isOnline(record: MemberRecord, thresholdMs: number, now = Date.now()): boolean {
    if (!record.heartbeat) return false;
    return now - Date.parse(record.heartbeat) <= thresholdMs;
  }

  toJson(r: MemberRecord, thresholdMs: number, now = Date.now()): ClusterMemberJson {
    const st = this.databases.global.status();
    const raft = st.members.find((m) => m.id === r.id);
    const roles = databaseRoles(raft?.role, st.leader?.id === r.id);
    let status: ClusterMemberJson['status'] = 'Online';
    let message = 'Fully operational';
    if (r.state === MEMBER_STATE_EVACUATED) {
      status = 'Evacuated';
      message = 'Unavailable due to maintenance';
    } else if (!ClusterMembers.isOnline(r, thresholdMs, now)) {
      status = 'Offline';
      message = r.heartbeat
        ? `No heartbeat for ${((now - Date.parse(r.heartbeat)) / 1000).toFixed(3)}s (${r.heartbeat})`
        : 'No heartbeat received yet';
    }
    return {
      server_name: r.name,
      url: `https://${r.address}`,
      database: roles.length > 0,
      status,
      message,
      architecture: architectureName(r.arch),
      roles,
      failure_domain: r.failureDomain,
      description: r.description,
      config: r.config,
      groups: r.groups,
    };
  }
}
