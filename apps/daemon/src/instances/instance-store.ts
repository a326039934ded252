/**
 * Instances and their snapshots in the global database (instances, instances_config,
 * instances_devices(+_config), instances_profiles, instances_snapshots(+_config, _devices)), read and
 * written as LXD's instance records.
 *
 * Every read also returns the instance's `state`: a JSON text SQLite computes from its rows. Writes
 * guarded by it succeed only if the rows are still what was read (a compare-and-set done inside the
 * replicated transaction), so of two writers starting from the same ETag exactly one wins.
 */
import { Injectable } from '@nestjs/common';
import { type ConsistentReader, LEADER, type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { architectureId, architectureName } from '../cluster/architectures';
import { Databases } from '../database/databases';
import { groupRows } from '../database/group-rows';
import { badRequest, conflict, LxdError, notFound, preconditionFailed } from '../http/lxd-error';
import { deviceTypeCode, deviceTypeName } from '../profiles/device-types';
import type { Devices } from '../profiles/profile-store';
import { storedEntries } from '../database/stored-config';

export const INSTANCE_TYPE_CONTAINER = 0;
/** storage_volumes.type of a container's root volume. */
export const VOLUME_TYPE_CONTAINER = 0;

export interface InstanceRecord {
  id: number;
  name: string;
  project: string;
  nodeId: number;
  /** Name of the member the instance lives on. */
  location: string;
  architecture: string;
  ephemeral: boolean;
  stateful: boolean;
  description: string;
  createdAt: string;
  lastUsedAt: string | null;
  config: Record<string, string>;
  devices: Devices;
  /** Profile names in the order they apply. */
  profiles: string[];
  /** The storage pool holding the instance's root filesystem (its `storage_volumes` row). */
  pool: string;
  /** The rows as SQLite sees them, for guarded writes. */
  state: string;
}

export interface SnapshotRecord {
  id: number;
  instanceId: number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  stateful: boolean;
  description: string;
  config: Record<string, string>;
  devices: Devices;
}

/** What a new instance is made of. */
export interface NewInstance {
  name: string;
  project: string;
  nodeId: number;
  pool: string;
  architecture: string;
  ephemeral: boolean;
  description: string;
  config: Record<string, string>;
  devices: Devices;
  profiles: string[];
}

/** What an update replaces. */
export interface InstanceContent {
  description: string;
  ephemeral: boolean;
  config: Record<string, string>;
  devices: Devices;
  profiles: string[];
}

const STATE_SQL = `json_array(i.name, i.node_id, i.description, i.ephemeral, i.architecture,
  (SELECT json_group_array(json_array(key, value)) FROM (SELECT key, value FROM instances_config WHERE instance_id = i.id ORDER BY key)),
  (SELECT json_group_array(json_array(d.name, d.type,
     (SELECT json_group_array(json_array(key, value)) FROM (SELECT key, value FROM instances_devices_config WHERE instance_device_id = d.id ORDER BY key))))
   FROM (SELECT id, name, type FROM instances_devices WHERE instance_id = i.id ORDER BY name) d),
  (SELECT json_group_array(profile_id) FROM (SELECT profile_id FROM instances_profiles WHERE instance_id = i.id ORDER BY apply_order)))`;

const INSTANCE_ID_SQL = '(SELECT i.id FROM instances i JOIN projects ON projects.id = i.project_id WHERE projects.name = ? AND i.name = ?)';


function devicesFrom(rows: Array<{ device: string; type: number; key: string | null; value: string | null }>): Devices {
  const devices: Devices = {};
  for (const d of rows) {
    const dev = (devices[d.device] ??= { type: deviceTypeName(Number(d.type)) });
    if (d.key !== null && d.key !== 'type') dev[d.key] = d.value ?? '';
  }
  return devices;
}

@Injectable()
export class InstanceStore {
  constructor(private readonly databases: Databases) {}

  async list(project: string): Promise<InstanceRecord[]> {
    return this.databases.global.read((r) => this.load(r, project));
  }

  async get(project: string, name: string): Promise<InstanceRecord> {
    const [found] = await this.databases.global.read((r) => this.load(r, project, name));
    if (!found) throw notFound('Instance not found');
    return found;
  }

  async find(project: string, name: string): Promise<InstanceRecord | undefined> {
    const [found] = await this.databases.global.read((r) => this.load(r, project, name));
    return found;
  }

  /**
   * The member an instance lives on, from this member's copy of the database, without a round trip
   * (undefined when the copy does not know the instance).
   */
  locateLocally(project: string, name: string): { nodeId: number; address: string; node: string } | undefined {
    const [row] = this.databases.global.stateMachine.query<{ node_id: number; address: string; node: string }>(
      `SELECT i.node_id, nodes.address, nodes.name AS node FROM instances i JOIN projects ON projects.id = i.project_id
       JOIN nodes ON nodes.id = i.node_id WHERE projects.name = ? AND i.name = ?`,
      [project, name],
    );
    return row ? { nodeId: Number(row.node_id), address: row.address, node: row.node } : undefined;
  }

  /** Like locateLocally, as of a linearizable read. */
  async locate(project: string, name: string): Promise<{ nodeId: number; address: string; node: string } | undefined> {
    const [row] = await this.databases.global.query<{ node_id: number; address: string; node: string }>(
      `SELECT i.node_id, nodes.address, nodes.name AS node FROM instances i JOIN projects ON projects.id = i.project_id
       JOIN nodes ON nodes.id = i.node_id WHERE projects.name = ? AND i.name = ?`,
      [project, name],
    );
    return row ? { nodeId: Number(row.node_id), address: row.address, node: row.node } : undefined;
  }

  /** Instances per member and per `placement.group` value, for placement. */
  async placementCounts(project: string): Promise<Array<{ nodeId: number; group: string | null; n: number }>> {
    const rows = await this.databases.global.query<{ node_id: number; grp: string | null; n: number }>(
      `SELECT i.node_id, c.value AS grp, count(*) AS n FROM instances i
       LEFT JOIN instances_config c ON c.instance_id = i.id AND c.key = 'placement.group'
       WHERE i.project_id = (SELECT id FROM projects WHERE name = ?) GROUP BY i.node_id, c.value`,
      [project],
    );
    return rows.map((r) => ({ nodeId: Number(r.node_id), group: r.grp, n: Number(r.n) }));
  }

  async create(instance: NewInstance): Promise<void> {
    const statements: SqlStatement<TxParam>[] = [
      {
        sql: `INSERT INTO instances (node_id, name, architecture, type, ephemeral, creation_date, stateful, description, project_id)
              SELECT ?, ?, ?, ?, ?, ?, 0, ?, id FROM projects WHERE name = ?`,
        params: [instance.nodeId, instance.name, architectureId(instance.architecture), INSTANCE_TYPE_CONTAINER, instance.ephemeral ? 1 : 0, LEADER.now, instance.description, instance.project],
        expect: 1,
      },
      {
        sql: `INSERT INTO storage_volumes (name, storage_pool_id, node_id, type, description, project_id, content_type, creation_date)
              SELECT ?, sp.id, ?, ?, '', projects.id, 0, ? FROM storage_pools sp, projects WHERE sp.name = ? AND projects.name = ?`,
        params: [instance.name, instance.nodeId, VOLUME_TYPE_CONTAINER, LEADER.now, instance.pool, instance.project],
        expect: 1,
      },
      ...this.contentStatements(INSTANCE_ID_SQL, [instance.project, instance.name], instance),
    ];
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE constraint failed: instances\.project_id, instances\.name/.test(err.message)) {
        throw conflict(`Failed creating instance record: Add instance info to the database: This "instances" entry already exists`);
      }
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') {
        throw err.failure.statement === 1 ? notFound(`Storage pool "${instance.pool}" not found`) : notFound(`Project "${instance.project}" not found`);
      }
      if (err instanceof TxFailedError && /UNIQUE constraint failed: storage_volumes/.test(err.message)) {
        throw conflict(`Failed creating instance record: a volume named "${instance.name}" already exists in pool "${instance.pool}"`);
      }
      if (err instanceof TxFailedError && /FOREIGN KEY/.test(err.message)) throw badRequest(`Failed creating instance record: ${err.message}`);
      throw err;
    }
  }

  /** Replaces config, devices, profiles and description if the rows are still `expectedState` (else 412). */
  async replace(record: InstanceRecord, content: InstanceContent): Promise<void> {
    await this.guarded([
      this.guard(record),
      { sql: 'UPDATE instances SET description = ?, ephemeral = ? WHERE id = ?', params: [content.description, content.ephemeral ? 1 : 0, record.id] },
      { sql: 'DELETE FROM instances_config WHERE instance_id = ?', params: [record.id] },
      { sql: 'DELETE FROM instances_devices WHERE instance_id = ?', params: [record.id] },
      { sql: 'DELETE FROM instances_profiles WHERE instance_id = ?', params: [record.id] },
      ...this.contentStatements('?', [record.id], content),
    ]);
  }

  /** Sets (or, with null or "", removes) config keys without a guard: volatile state the runtime reports. */
  async setConfig(id: number, values: Record<string, string | null>): Promise<void> {
    const statements: SqlStatement<TxParam>[] = [];
    for (const [key, value] of Object.entries(values)) {
      statements.push(
        value === null || value === ''
          ? { sql: 'DELETE FROM instances_config WHERE instance_id = ? AND key = ?', params: [id, key] }
          : {
              sql: 'INSERT INTO instances_config (instance_id, key, value) VALUES (?, ?, ?) ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value',
              params: [id, key, value],
            },
      );
    }
    if (statements.length > 0) await this.databases.global.exec({ statements });
  }

  async touchLastUsed(id: number): Promise<void> {
    await this.databases.global.exec({ statements: [{ sql: 'UPDATE instances SET last_use_date = ? WHERE id = ?', params: [LEADER.now, id] }] });
  }

  async rename(record: InstanceRecord, to: string): Promise<void> {
    try {
      await this.guarded([
        this.guard(record),
        { sql: 'UPDATE instances SET name = ? WHERE id = ?', params: [to, record.id] },
        {
          sql: 'UPDATE storage_volumes SET name = ? WHERE name = ? AND node_id = ? AND type = ? AND project_id = (SELECT project_id FROM instances WHERE id = ?)',
          params: [to, record.name, record.nodeId, VOLUME_TYPE_CONTAINER, record.id],
        },
      ]);
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict(`Name "${to}" already in use`);
      throw err;
    }
  }

  async delete(record: InstanceRecord): Promise<void> {
    await this.databases.global.exec({
      statements: [
        {
          sql: 'DELETE FROM storage_volumes WHERE name = ? AND node_id = ? AND type = ? AND project_id = (SELECT project_id FROM instances WHERE id = ?)',
          params: [record.name, record.nodeId, VOLUME_TYPE_CONTAINER, record.id],
        },
        { sql: 'DELETE FROM instances WHERE id = ?', params: [record.id] },
      ],
    });
  }

  // ------------------------------------------------------------------ snapshots

  async snapshots(instanceId: number): Promise<SnapshotRecord[]> {
    return this.databases.global.read((r) => this.loadSnapshots(r, instanceId));
  }

  async snapshot(instanceId: number, name: string): Promise<SnapshotRecord> {
    const [found] = await this.databases.global.read((r) => this.loadSnapshots(r, instanceId, name));
    if (!found) throw notFound('Snapshot not found');
    return found;
  }

  /** Records a snapshot with a copy of the instance's config and devices. */
  async createSnapshot(record: InstanceRecord, name: string, expiresAt: string | null): Promise<void> {
    const snapshotId = '(SELECT id FROM instances_snapshots WHERE instance_id = ? AND name = ?)';
    const statements: SqlStatement<TxParam>[] = [
      {
        sql: `INSERT INTO instances_snapshots (instance_id, name, creation_date, stateful, description, expiry_date)
              VALUES (?, ?, ?, 0, '', ?)`,
        params: [record.id, name, LEADER.now, expiresAt],
      },
    ];
    for (const [key, value] of Object.entries(record.config)) {
      statements.push({ sql: `INSERT INTO instances_snapshots_config (instance_snapshot_id, key, value) VALUES (${snapshotId}, ?, ?)`, params: [record.id, name, key, value] });
    }
    for (const [device, config] of Object.entries(record.devices)) {
      statements.push({
        sql: `INSERT INTO instances_snapshots_devices (instance_snapshot_id, name, type) VALUES (${snapshotId}, ?, ?)`,
        params: [record.id, name, device, deviceTypeCode(config.type) ?? 0],
      });
      for (const [key, value] of Object.entries(config)) {
        if (key === 'type') continue;
        statements.push({
          sql: `INSERT INTO instances_snapshots_devices_config (instance_snapshot_device_id, key, value)
                VALUES ((SELECT id FROM instances_snapshots_devices WHERE instance_snapshot_id = ${snapshotId} AND name = ?), ?, ?)`,
          params: [record.id, name, device, key, value],
        });
      }
    }
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict(`Snapshot "${name}" already exists`);
      throw err;
    }
  }

  async renameSnapshot(snapshot: SnapshotRecord, to: string): Promise<void> {
    try {
      await this.databases.global.exec({ statements: [{ sql: 'UPDATE instances_snapshots SET name = ? WHERE id = ?', params: [to, snapshot.id], expect: 1 }] });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict(`Snapshot "${to}" already exists`);
      throw err;
    }
  }

  async updateSnapshot(snapshot: SnapshotRecord, description: string, expiresAt: string | null): Promise<void> {
    await this.databases.global.exec({
      statements: [{ sql: 'UPDATE instances_snapshots SET description = ?, expiry_date = ? WHERE id = ?', params: [description, expiresAt, snapshot.id], expect: 1 }],
    });
  }

  async deleteSnapshot(snapshot: SnapshotRecord): Promise<void> {
    await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM instances_snapshots WHERE id = ?', params: [snapshot.id] }] });
  }

  // ------------------------------------------------------------------ internals

  private guard(record: InstanceRecord): SqlStatement<TxParam> {
    return { sql: `SELECT 1 FROM instances i WHERE i.id = ? AND ${STATE_SQL} = ?`, params: [record.id, record.state], expect: 1 };
  }

  private async guarded(statements: SqlStatement<TxParam>[]): Promise<void> {
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') {
        throw preconditionFailed('The instance changed since it was read (ETag mismatch): read it again');
      }
      if (err instanceof TxFailedError && /FOREIGN KEY|NOT NULL constraint failed: instances_profiles/.test(err.message)) {
        throw badRequest(`Invalid instance update: ${err.message}`);
      }
      throw err;
    }
  }

  private contentStatements(idSql: string, idParams: TxParam[], content: { config: Record<string, string>; devices: Devices; profiles: string[] }): SqlStatement<TxParam>[] {
    const out: SqlStatement<TxParam>[] = [];
    for (const [key, value] of storedEntries(content.config)) {
      out.push({ sql: `INSERT INTO instances_config (instance_id, key, value) VALUES (${idSql}, ?, ?)`, params: [...idParams, key, value] });
    }
    for (const [name, dev] of Object.entries(content.devices)) {
      const code = deviceTypeCode(dev.type);
      if (code === undefined) throw badRequest(`Device "${name}" has an unknown type "${dev.type}"`);
      out.push({ sql: `INSERT INTO instances_devices (instance_id, name, type) VALUES (${idSql}, ?, ?)`, params: [...idParams, name, code] });
      for (const [key, value] of storedEntries(dev)) {
        if (key === 'type') continue;
        out.push({
          sql: `INSERT INTO instances_devices_config (instance_device_id, key, value) VALUES ((SELECT id FROM instances_devices WHERE instance_id = ${idSql} AND name = ?), ?, ?)`,
          params: [...idParams, name, key, value],
        });
      }
    }
    content.profiles.forEach((profile, order) => {
      out.push({
        sql: `INSERT INTO instances_profiles (instance_id, profile_id, apply_order)
              SELECT ${idSql}, p.id, ? FROM profiles p JOIN instances i ON i.project_id = p.project_id WHERE i.id = ${idSql} AND p.name = ?`,
        params: [...idParams, order, ...idParams, profile],
        expect: 1,
      });
    });
    return out;
  }

  private async load(r: ConsistentReader, project: string, name?: string): Promise<InstanceRecord[]> {
    const scope = `SELECT i.id FROM instances i JOIN projects ON projects.id = i.project_id WHERE projects.name = ?${name !== undefined ? ' AND i.name = ?' : ''}`;
    const params = name !== undefined ? [project, name] : [project];
    const rows = await r.query<{
      id: number;
      name: string;
      node_id: number;
      node: string;
      architecture: number;
      ephemeral: number;
      stateful: number;
      description: string;
      creation_date: string;
      last_use_date: string | null;
      state: string;
      pool: string | null;
    }>(
      `SELECT i.id, i.name, i.node_id, nodes.name AS node, i.architecture, i.ephemeral, i.stateful, i.description, i.creation_date, i.last_use_date, ${STATE_SQL} AS state,
         (SELECT sp.name FROM storage_volumes v JOIN storage_pools sp ON sp.id = v.storage_pool_id
          WHERE v.name = i.name AND v.node_id = i.node_id AND v.project_id = i.project_id AND v.type = ${VOLUME_TYPE_CONTAINER}) AS pool
       FROM instances i JOIN nodes ON nodes.id = i.node_id WHERE i.id IN (${scope}) ORDER BY i.name`,
      params,
    );
    if (rows.length === 0) return [];
    const config = await r.query<{ instance_id: number; key: string; value: string | null }>(`SELECT instance_id, key, value FROM instances_config WHERE instance_id IN (${scope}) ORDER BY key`, params);
    const devices = await r.query<{ instance_id: number; device: string; type: number; key: string | null; value: string | null }>(
      `SELECT d.instance_id, d.name AS device, d.type, c.key, c.value FROM instances_devices d
       LEFT JOIN instances_devices_config c ON c.instance_device_id = d.id WHERE d.instance_id IN (${scope}) ORDER BY d.name, c.key`,
      params,
    );
    const profiles = await r.query<{ instance_id: number; name: string }>(
      `SELECT ip.instance_id, p.name FROM instances_profiles ip JOIN profiles p ON p.id = ip.profile_id WHERE ip.instance_id IN (${scope}) ORDER BY ip.instance_id, ip.apply_order`,
      params,
    );
    const configOf = groupRows(config, (c) => Number(c.instance_id));
    const devicesOf = groupRows(devices, (d) => Number(d.instance_id));
    const profilesOf = groupRows(profiles, (p) => Number(p.instance_id));
    return rows.map((row) => ({
      id: Number(row.id),
      name: row.name,
      project,
      nodeId: Number(row.node_id),
      location: row.node,
      architecture: architectureName(Number(row.architecture)),
      ephemeral: Number(row.ephemeral) === 1,
      stateful: Number(row.stateful) === 1,
      description: row.description,
      createdAt: row.creation_date,
      lastUsedAt: row.last_use_date,
      config: Object.fromEntries((configOf.get(Number(row.id)) ?? []).map((c) => [c.key, c.value ?? ''])),
      devices: devicesFrom(devicesOf.get(Number(row.id)) ?? []),
      profiles: (profilesOf.get(Number(row.id)) ?? []).map((p) => p.name),
      pool: row.pool ?? '',
      state: row.state,
    }));
  }

  private async loadSnapshots(r: ConsistentReader, instanceId: number, name?: string): Promise<SnapshotRecord[]> {
    const where = name !== undefined ? ' AND name = ?' : '';
    const params = name !== undefined ? [instanceId, name] : [instanceId];
    const rows = await r.query<{ id: number; name: string; creation_date: string; expiry_date: string | null; stateful: number; description: string }>(
      `SELECT id, name, creation_date, expiry_date, stateful, description FROM instances_snapshots WHERE instance_id = ?${where} ORDER BY creation_date, id`,
      params,
    );
    if (rows.length === 0) return [];
    const ids = rows.map((s) => Number(s.id));
    const marks = ids.map(() => '?').join(',');
    const config = await r.query<{ instance_snapshot_id: number; key: string; value: string | null }>(
      `SELECT instance_snapshot_id, key, value FROM instances_snapshots_config WHERE instance_snapshot_id IN (${marks}) ORDER BY key`,
      ids,
    );
    const devices = await r.query<{ instance_snapshot_id: number; device: string; type: number; key: string | null; value: string | null }>(
      `SELECT d.instance_snapshot_id, d.name AS device, d.type, c.key, c.value FROM instances_snapshots_devices d
       LEFT JOIN instances_snapshots_devices_config c ON c.instance_snapshot_device_id = d.id WHERE d.instance_snapshot_id IN (${marks}) ORDER BY d.name, c.key`,
      ids,
    );
    const configOf = groupRows(config, (c) => Number(c.instance_snapshot_id));
    const devicesOf = groupRows(devices, (d) => Number(d.instance_snapshot_id));
    return rows.map((s) => ({
      id: Number(s.id),
      instanceId,
      name: s.name,
      createdAt: s.creation_date,
      expiresAt: s.expiry_date,
      stateful: Number(s.stateful) === 1,
      description: s.description,
      config: Object.fromEntries((configOf.get(Number(s.id)) ?? []).map((c) => [c.key, c.value ?? ''])),
      devices: devicesFrom(devicesOf.get(Number(s.id)) ?? []),
    }));
  }
}

/** Whether an error is the store's "instance not found". */
export function isInstanceNotFound(err: unknown): boolean {
  return err instanceof LxdError && err.statusCode === 404;
}
