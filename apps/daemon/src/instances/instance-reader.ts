/**
 * Instances as the API returns them: the records with their profiles expanded, their runtime status
 * from their members, and for `recursion=2` their full state and snapshots.
 */
import { Injectable } from '@nestjs/common';
import { Databases } from '../database/databases';
import { MemberIdentity, STANDALONE_NODE } from '../identity/member-identity';
import { ProfileStore, type StoredProfile } from '../profiles/profile-store';
import { expand } from './instance-config';
import { InstanceStates } from './instance-states';
import { type InstanceRecord, InstanceStore, type SnapshotRecord } from './instance-store';
import { type InstanceFullJson, type InstanceJson, instanceJson, snapshotJson, type SnapshotJson } from './instance-view';

@Injectable()
export class InstanceReader {
  constructor(
    private readonly store: InstanceStore,
    private readonly profiles: ProfileStore,
    private readonly states: InstanceStates,
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
  ) {}

  /** The config and devices in effect for a record. */
  async expanded(record: Pick<InstanceRecord, 'project' | 'profiles' | 'config' | 'devices'>, profiles?: StoredProfile[]) {
    const all = profiles ?? (await this.profiles.list(record.project));
    const used = record.profiles.map((name) => all.find((p) => p.name === name)).filter((p): p is StoredProfile => p !== undefined);
    return expand(used, record.config, record.devices);
  }

  /** The location LXD shows: the member's name, or "none" on a standalone server. */
  location(record: InstanceRecord): string {
    return this.databases.clustered ? record.location : STANDALONE_NODE.name;
  }

  async one(record: InstanceRecord): Promise<InstanceJson> {
    const [expanded, report] = await Promise.all([this.expanded(record), this.states.of([record], await this.addresses(), false)]);
    return instanceJson(record, expanded, report.statuses[record.name], this.location(record));
  }

  async many(records: InstanceRecord[], project: string): Promise<InstanceJson[]> {
    if (records.length === 0) return [];
    const [profiles, report] = await Promise.all([this.profiles.list(project), this.states.of(records, await this.addresses(), false)]);
    return Promise.all(records.map(async (r) => instanceJson(r, await this.expanded(r, profiles), report.statuses[r.name], this.location(r))));
  }

  async full(records: InstanceRecord[], project: string): Promise<InstanceFullJson[]> {
    if (records.length === 0) return [];
    const [profiles, report] = await Promise.all([this.profiles.list(project), this.states.of(records, await this.addresses(), true)]);
    return Promise.all(
      records.map(async (r) => {
        const expanded = await this.expanded(r, profiles);
        const snapshots = await this.store.snapshots(r.id);
        const state = report.states?.[r.name] ?? null;
        return {
          ...instanceJson(r, expanded, report.statuses[r.name], this.location(r)),
          backups: null,
          state,
          snapshots: snapshots.length === 0 ? null : await Promise.all(snapshots.map((s) => this.snapshot(r, s, profiles))),
        };
      }),
    );
  }

  async snapshot(record: InstanceRecord, snapshot: SnapshotRecord, profiles?: StoredProfile[]): Promise<SnapshotJson> {
    const expanded = await this.expanded({ ...record, config: snapshot.config, devices: snapshot.devices }, profiles);
    return snapshotJson(record, snapshot, expanded, 0);
  }

  /** Member addresses by node id (this member's copy of the database). */
  async addresses(): Promise<Map<number, string>> {
    const rows = this.databases.global.stateMachine.query<{ id: number; address: string }>('SELECT id, address FROM nodes');
    const map = new Map(rows.map((r) => [Number(r.id), r.address]));
    if (!this.databases.clustered) map.set(this.identity.node.id, '');
    return map;
  }
}
