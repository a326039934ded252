/**
 * Profiles in the global database (profiles, profiles_config, profiles_devices,
 * profiles_devices_config), read and written as LXD's profile objects.
 *
 * Every read also returns the profile's `state`: a JSON text SQLite computes from the stored rows.
 * A write guarded by it (SqlStatement.expect) succeeds only if the rows are still exactly what was
 * read, on every replica, in the same transaction as the write: a compare-and-set, so that of two
 * writers starting from the same ETag exactly one wins and the other gets 412.
 */
import { Injectable } from '@nestjs/common';
import { type ConsistentReader, type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { Databases } from '../database/databases';
import { groupRows } from '../database/group-rows';
import { badRequest, conflict, notFound, preconditionFailed } from '../http/lxd-error';
import { deviceTypeCode, deviceTypeName } from './device-types';
import { storedEntries } from '../database/stored-config';

export type Devices = Record<string, Record<string, string>>;

export interface ProfileJson {
  name: string;
  description: string;
  config: Record<string, string>;
  devices: Devices;
  used_by: string[];
}

export interface StoredProfile extends ProfileJson {
  id: number;
  state: string;
}

/** The rows of profile `p` as one JSON text, computed by SQLite (for reads and for guards alike). */
const STATE_SQL = `json_array(p.name, p.description,
  (SELECT json_group_array(json_array(key, value)) FROM (SELECT key, value FROM profiles_config WHERE profile_id = p.id ORDER BY key)),
  (SELECT json_group_array(json_array(d.name, d.type,
     (SELECT json_group_array(json_array(key, value)) FROM (SELECT key, value FROM profiles_devices_config WHERE profile_device_id = d.id ORDER BY key))))
   FROM (SELECT id, name, type FROM profiles_devices WHERE profile_id = p.id ORDER BY name) d))`;

/** What STATE_SQL's text says of a profile: [name, description, [[key, value]...], [[device, type, [[key, value]...]]...]]. */
type StateJson = [string, string, [string, string | null][], [string, number, [string, string | null][]][]];

/** The config and devices a profile's state text holds. */
export function profileState(state: string): { config: Record<string, string>; devices: Devices } {
  const [, , configRows, deviceRows] = JSON.parse(state) as StateJson;
  const config: Record<string, string> = {};
  for (const [key, value] of configRows) config[key] = value ?? '';
  const devices: Devices = {};
  for (const [device, type, rows] of deviceRows) {
    const dev: Record<string, string> = { type: deviceTypeName(type) };
    for (const [key, value] of rows) if (key !== 'type') dev[key] = value ?? '';
    devices[device] = dev;
  }
  return { config, devices };
}

/** LXD's rule: any name but an empty one, one with a slash, "." and "..". */
export function validProfileName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw badRequest('No name provided');
  if (name.includes('/')) throw badRequest('Profile names may not contain slashes');
  if (name === '.' || name === '..') throw badRequest(`Invalid profile name ${JSON.stringify(name)}`);
}

export function validConfig(config: unknown): Record<string, string> {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) throw badRequest('config must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    if (typeof v !== 'string') throw badRequest(`Invalid value for config key "${k}": expected a string`);
    out[k] = v;
  }
  return out;
}

export function validDevices(devices: unknown): Devices {
  if (devices === undefined || devices === null) return {};
  if (typeof devices !== 'object' || Array.isArray(devices)) throw badRequest('devices must be an object of devices');
  const out: Devices = {};
  for (const [name, dev] of Object.entries(devices as Record<string, unknown>)) {
    if (typeof dev !== 'object' || dev === null || Array.isArray(dev)) throw badRequest(`Device "${name}" must be an object`);
    const config = validConfig(dev);
    if (!config.type) throw badRequest(`Device "${name}" has no type`);
    if (deviceTypeCode(config.type) === undefined) throw badRequest(`Device "${name}" has an unknown type "${config.type}"`);
    out[name] = config;
  }
  return out;
}

@Injectable()
export class ProfileStore {
  constructor(private readonly databases: Databases) {}

  async list(project = 'default'): Promise<StoredProfile[]> {
    return this.databases.global.read((r) => this.load(r, project));
  }

  async get(name: string, project = 'default'): Promise<StoredProfile> {
    const [found] = await this.databases.global.read((r) => this.load(r, project, name));
    if (!found) throw notFound('Profile not found');
    return found;
  }

  /**
   * The profiles of a project (or the one named), as of one read point. Their config and devices
   * are read from their `state`, which holds every row of them (profileState), so that the state a
   * write is guarded by and the profile it returns cannot differ.
   */
  private async load(r: ConsistentReader, project: string, name?: string): Promise<StoredProfile[]> {
    const scope = `SELECT p.id FROM profiles p JOIN projects ON projects.id = p.project_id WHERE projects.name = ?${name !== undefined ? ' AND p.name = ?' : ''}`;
    const params = name !== undefined ? [project, name] : [project];
    const profiles = await r.query<{ id: number; name: string; description: string; state: string }>(
      `SELECT p.id, p.name, p.description, ${STATE_SQL} AS state FROM profiles p WHERE p.id IN (${scope}) ORDER BY p.name`,
      params,
    );
    if (profiles.length === 0) return [];
    const usedBy = await r.query<{ profile_id: number; name: string }>(
      `SELECT ip.profile_id, i.name FROM instances_profiles ip JOIN instances i ON i.id = ip.instance_id WHERE ip.profile_id IN (${scope}) ORDER BY i.name`,
      params,
    );
    const usedOf = groupRows(usedBy, (u) => u.profile_id);
    return profiles.map((p) => {
      const { config, devices } = profileState(p.state);
      return {
        id: p.id,
        name: p.name,
        description: p.description,
        config,
        devices,
        used_by: (usedOf.get(p.id) ?? []).map((u) => `/1.0/instances/${u.name}`),
        state: p.state,
      };
    });
  }

  async create(profile: { name: string; description: string; config: Record<string, string>; devices: Devices }, project = 'default'): Promise<void> {
    try {
      await this.databases.global.exec({
        statements: [
          { sql: 'INSERT INTO profiles (name, description, project_id) SELECT ?, ?, id FROM projects WHERE name = ?', params: [profile.name, profile.description, project], expect: 1 },
          ...this.contentStatements(`(SELECT p.id FROM profiles p JOIN projects ON projects.id = p.project_id WHERE p.name = ? AND projects.name = ?)`, [profile.name, project], profile),
        ],
      });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE constraint failed: profiles/.test(err.message)) {
        throw conflict(`Error inserting "${profile.name}" into database: The profile already exists`);
      }
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw notFound(`Project "${project}" not found`);
      throw err;
    }
  }

  /**
   * Replaces the profile's description, config and devices, if its rows are still `expectedState`
   * (else 412: somebody else changed it since it was read).
   */
  async replace(id: number, expectedState: string, profile: { description: string; config: Record<string, string>; devices: Devices }): Promise<void> {
    const statements: SqlStatement<TxParam>[] = [
      { sql: `SELECT 1 FROM profiles p WHERE p.id = ? AND ${STATE_SQL} = ?`, params: [id, expectedState], expect: 1 },
      { sql: 'UPDATE profiles SET description = ? WHERE id = ?', params: [profile.description, id] },
      { sql: 'DELETE FROM profiles_config WHERE profile_id = ?', params: [id] },
      { sql: 'DELETE FROM profiles_devices WHERE profile_id = ?', params: [id] },
      ...this.contentStatements('?', [id], profile),
    ];
    await this.guarded(statements);
  }

  async rename(id: number, expectedState: string, to: string): Promise<void> {
    try {
      await this.guarded([
        { sql: `SELECT 1 FROM profiles p WHERE p.id = ? AND ${STATE_SQL} = ?`, params: [id, expectedState], expect: 1 },
        { sql: 'UPDATE profiles SET name = ? WHERE id = ?', params: [to, id] },
      ]);
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict(`Name "${to}" already in use`);
      throw err;
    }
  }

  async delete(id: number, expectedState: string): Promise<void> {
    await this.guarded(
      [
        { sql: `SELECT 1 FROM profiles p WHERE p.id = ? AND ${STATE_SQL} = ?`, params: [id, expectedState], expect: 1 },
        { sql: 'SELECT 1 FROM instances_profiles WHERE profile_id = ?', params: [id], expect: 0 },
        { sql: 'DELETE FROM profiles WHERE id = ?', params: [id] },
      ],
      (statement) => (statement === 1 ? badRequest('Profile is currently in use') : undefined),
    );
  }

  /** Runs guarded statements; a failed guard is 412, unless `failed` names another error for it. */
  private async guarded(statements: SqlStatement<TxParam>[], failed?: (statement: number | undefined) => Error | undefined): Promise<void> {
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') {
        throw failed?.(err.failure.statement) ?? preconditionFailed('The profile changed since it was read (ETag mismatch): read it again');
      }
      throw err;
    }
  }

  /** INSERTs of a profile's config and devices; `idSql` with `idParams` selects the profile id. */
  private contentStatements(idSql: string, idParams: TxParam[], profile: { config: Record<string, string>; devices: Devices }): SqlStatement<TxParam>[] {
    const out: SqlStatement<TxParam>[] = [];
    for (const [key, value] of storedEntries(profile.config)) {
      out.push({ sql: `INSERT INTO profiles_config (profile_id, key, value) VALUES (${idSql}, ?, ?)`, params: [...idParams, key, value] });
    }
    for (const [name, dev] of Object.entries(profile.devices)) {
      out.push({ sql: `INSERT INTO profiles_devices (profile_id, name, type) VALUES (${idSql}, ?, ?)`, params: [...idParams, name, deviceTypeCode(dev.type)!] });
      for (const [key, value] of storedEntries(dev)) {
        if (key === 'type') continue;
        out.push({
          sql: `INSERT INTO profiles_devices_config (profile_device_id, key, value) VALUES ((SELECT id FROM profiles_devices WHERE profile_id = ${idSql} AND name = ?), ?, ?)`,
          params: [...idParams, name, key, value],
        });
      }
    }
    return out;
  }
}

