/**
 * Storage pools in the global database (storage_pools, storage_pools_config, storage_pools_nodes),
 * as LXD keeps them: a pool is defined once for the cluster, with global config (node_id NULL) and
 * member-specific config (`source`, node_id set), and a row per member that has it.
 *
 * In a cluster a pool can first be defined member by member (`?target=`), which leaves it Pending,
 * then created for the whole cluster; or created for every member at once, each with its default
 * source. A standalone server creates it at once.
 */
import { Injectable } from '@nestjs/common';
import { type ConsistentReader, type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { Databases } from '../database/databases';
import { badRequest, conflict, notFound } from '../http/lxd-error';
import { execGuarded } from '../database/guarded-exec';
import { storedEntries } from '../database/stored-config';
import { globalConfigUnchanged } from '../database/config-guard';
import { profileUrl } from '../profiles/profile-url';

export const POOL_PENDING = 0;
export const POOL_CREATED = 1;

/** Keys that differ per member. */
export const MEMBER_SPECIFIC_POOL_KEYS: ReadonlySet<string> = new Set(['source']);

/** Keys a `dir` pool accepts. */
const DIR_POOL_KEYS: ReadonlySet<string> = new Set(['source', 'rsync.bwlimit', 'rsync.compression']);

export const SUPPORTED_POOL_DRIVERS = ['dir'] as const;

export interface StoragePoolRecord {
  id: number;
  name: string;
  driver: string;
  description: string;
  state: number;
  /** Global config (node_id NULL). */
  config: Record<string, string>;
  /** Member-specific config by node id. */
  memberConfig: Map<number, Record<string, string>>;
  /** Members that have the pool, by node id, with their state. */
  members: Map<number, { name: string; state: number }>;
}

const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function validPoolName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw badRequest('No name provided');
  if (!POOL_NAME.test(name)) throw badRequest(`Invalid storage pool name "${name}"`);
}

export function validPoolConfig(config: unknown, driver: string): Record<string, string> {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) throw badRequest('config must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (typeof value !== 'string') throw badRequest(`Invalid value for config key "${key}": expected a string`);
    if (driver === 'dir' && !DIR_POOL_KEYS.has(key) && !key.startsWith('user.')) throw badRequest(`Invalid option for "dir" storage pool: "${key}"`);
    if (key === 'source' && value !== '' && !value.startsWith('/')) throw badRequest(`Invalid source "${value}": a dir pool's source must be an absolute path`);
    out[key] = value;
  }
  return out;
}

@Injectable()
export class StoragePoolStore {
  constructor(private readonly databases: Databases) {}

  async list(): Promise<StoragePoolRecord[]> {
    return this.databases.global.read((r) => this.load(r));
  }

  async get(name: string): Promise<StoragePoolRecord> {
    const [pool] = await this.databases.global.read((r) => this.load(r, name));
    if (!pool) throw notFound('Storage pool not found');
    return pool;
  }

  /** What uses the pool: profiles with a disk device on it and instances whose root disk is on it. */
  async usedBy(name: string): Promise<string[]> {
    return this.databases.global.read(async (r) => {
      const profiles = await r.query<{ name: string; project: string }>(
        `SELECT DISTINCT p.name, projects.name AS project FROM profiles p
         JOIN projects ON projects.id = p.project_id
         JOIN profiles_devices d ON d.profile_id = p.id
         JOIN profiles_devices_config c ON c.profile_device_id = d.id
         WHERE c.key = 'pool' AND c.value = ? ORDER BY p.name`,
        [name],
      );
      const instances = await r.query<{ name: string; project: string }>(
        `SELECT DISTINCT v.name, projects.name AS project FROM storage_volumes v
         JOIN projects ON projects.id = v.project_id
         JOIN storage_pools sp ON sp.id = v.storage_pool_id
         WHERE sp.name = ? AND v.type = 0 ORDER BY v.name`,
        [name],
      );
      const suffix = (project: string) => (project === 'default' ? '' : `?project=${encodeURIComponent(project)}`);
      return [...profiles.map((p) => profileUrl(p.name, p.project)), ...instances.map((i) => `/1.0/instances/${i.name}${suffix(i.project)}`)];
    });
  }

  /**
   * Defines the pool on one member only (a cluster's `?target=` step): the pool stays Pending until it
   * is created for the whole cluster.
   */
  async defineOnMember(input: { name: string; driver: string; description: string; config: Record<string, string> }, nodeId: number, nodeName: string): Promise<void> {
    for (const key of Object.keys(input.config)) {
      if (!MEMBER_SPECIFIC_POOL_KEYS.has(key)) throw badRequest(`Config key "${key}" may not be used as member-specific key`);
    }
    const existing = await this.find(input.name);
    if (existing && existing.state === POOL_CREATED) throw conflict(`The storage pool already exists`);
    if (existing && existing.members.has(nodeId)) throw badRequest(`The storage pool is already defined on member "${nodeName}"`);
    if (existing && existing.driver !== input.driver) throw badRequest(`The storage pool "${input.name}" is pending with driver "${existing.driver}", not "${input.driver}"`);
    const statements: SqlStatement<TxParam>[] = [
      { sql: 'INSERT OR IGNORE INTO storage_pools (name, driver, description, state) VALUES (?, ?, ?, ?)', params: [input.name, input.driver, input.description, POOL_PENDING] },
      {
        sql: 'INSERT INTO storage_pools_nodes (storage_pool_id, node_id, state) SELECT id, ?, ? FROM storage_pools WHERE name = ? AND state = ?',
        params: [nodeId, POOL_PENDING, input.name, POOL_PENDING],
        expect: 1,
      },
      ...storedEntries(input.config).map(([key, value]) => ({
        sql: 'INSERT INTO storage_pools_config (storage_pool_id, node_id, key, value) SELECT id, ?, ?, ? FROM storage_pools WHERE name = ?',
        params: [nodeId, key, value, input.name] as TxParam[],
      })),
    ];
    await this.write(statements, input.name);
  }

  /**
   * Creates the pool for every member: a Pending pool becomes Created (members that defined nothing
   * get their default source), or a new pool is created on all members at once. `memberSource`, for a
   * standalone server, is its own source.
   */
  async create(input: { name: string; driver: string; description: string; config: Record<string, string> }, nodeIds: number[], own?: { nodeId: number; config: Record<string, string> }): Promise<void> {
    const existing = await this.find(input.name);
    if (existing && existing.state === POOL_CREATED) throw conflict('The storage pool already exists');
    if (existing && existing.driver !== input.driver) throw badRequest(`The storage pool "${input.name}" is pending with driver "${existing.driver}", not "${input.driver}"`);
    const statements: SqlStatement<TxParam>[] = [];
    if (existing) {
      statements.push(
        { sql: 'UPDATE storage_pools SET state = ?, description = ? WHERE id = ? AND state = ?', params: [POOL_CREATED, input.description, existing.id, POOL_PENDING], expect: 1 },
        { sql: 'UPDATE storage_pools_nodes SET state = ? WHERE storage_pool_id = ?', params: [POOL_CREATED, existing.id] },
      );
    } else {
      statements.push({ sql: 'INSERT INTO storage_pools (name, driver, description, state) VALUES (?, ?, ?, ?)', params: [input.name, input.driver, input.description, POOL_CREATED] });
    }
    for (const id of nodeIds) {
      statements.push({
        sql: 'INSERT OR IGNORE INTO storage_pools_nodes (storage_pool_id, node_id, state) SELECT id, ?, ? FROM storage_pools WHERE name = ?',
        params: [id, POOL_CREATED, input.name],
      });
    }
    for (const [key, value] of storedEntries(input.config)) {
      statements.push({
        sql: 'INSERT INTO storage_pools_config (storage_pool_id, node_id, key, value) SELECT id, NULL, ?, ? FROM storage_pools WHERE name = ?',
        params: [key, value, input.name],
      });
    }
    if (own) {
      for (const [key, value] of storedEntries(own.config)) {
        statements.push({
          sql: 'INSERT INTO storage_pools_config (storage_pool_id, node_id, key, value) SELECT id, ?, ?, ? FROM storage_pools WHERE name = ?',
          params: [own.nodeId, key, value, input.name],
        });
      }
    }
    await this.write(statements, input.name);
  }

  /** Gives a member the pool (a member that joined after the pool was created). */
  async addMember(name: string, nodeId: number, config: Record<string, string>): Promise<void> {
    await this.databases.global.exec({
      statements: [
        { sql: 'INSERT OR IGNORE INTO storage_pools_nodes (storage_pool_id, node_id, state) SELECT id, ?, ? FROM storage_pools WHERE name = ?', params: [nodeId, POOL_CREATED, name] },
        ...storedEntries(config).map(([key, value]) => ({
          sql: `INSERT INTO storage_pools_config (storage_pool_id, node_id, key, value) SELECT id, ?, ?, ? FROM storage_pools WHERE name = ?
                ON CONFLICT (storage_pool_id, node_id, key) DO UPDATE SET value = excluded.value`,
          params: [nodeId, key, value, name] as TxParam[],
        })),
      ],
    });
  }

  /**
   * Replaces the global config and description (member-specific keys stay as they are), if they are
   * still as `pool` read them (else 412).
   */
  async update(pool: StoragePoolRecord, description: string, config: Record<string, string>): Promise<void> {
    await execGuarded(this.databases, [
      globalConfigUnchanged({ table: 'storage_pools', configTable: 'storage_pools_config', idColumn: 'storage_pool_id' }, pool),
      { sql: 'UPDATE storage_pools SET description = ? WHERE id = ?', params: [description, pool.id], expect: 1 },
      { sql: 'DELETE FROM storage_pools_config WHERE storage_pool_id = ? AND node_id IS NULL', params: [pool.id] },
      ...storedEntries(config).map(([key, value]) => ({
        sql: 'INSERT INTO storage_pools_config (storage_pool_id, node_id, key, value) VALUES (?, NULL, ?, ?)',
        params: [pool.id, key, value] as TxParam[],
      })),
    ], 'storage pool');
  }

  async delete(pool: StoragePoolRecord): Promise<void> {
    await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM storage_pools WHERE id = ?', params: [pool.id], expect: 1 }] });
  }

  private async find(name: string): Promise<StoragePoolRecord | undefined> {
    const [pool] = await this.databases.global.read((r) => this.load(r, name));
    return pool;
  }

  private async write(statements: SqlStatement<TxParam>[], name: string): Promise<void> {
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw conflict(`The storage pool "${name}" changed meanwhile: try again`);
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict(`The storage pool "${name}" already has that definition`);
      throw err;
    }
  }

  private async load(r: ConsistentReader, name?: string): Promise<StoragePoolRecord[]> {
    const where = name === undefined ? '' : ' WHERE name = ?';
    const params = name === undefined ? [] : [name];
    const pools = await r.query<{ id: number; name: string; driver: string; description: string; state: number }>(
      `SELECT id, name, driver, description, state FROM storage_pools${where} ORDER BY name`,
      params,
    );
    if (pools.length === 0) return [];
    const scope = name === undefined ? '' : ' WHERE storage_pool_id IN (SELECT id FROM storage_pools WHERE name = ?)';
    const config = await r.query<{ storage_pool_id: number; node_id: number | null; key: string; value: string | null }>(
      `SELECT storage_pool_id, node_id, key, value FROM storage_pools_config${scope} ORDER BY key`,
      params,
    );
    const members = await r.query<{ storage_pool_id: number; node_id: number; state: number; node: string }>(
      `SELECT s.storage_pool_id, s.node_id, s.state, nodes.name AS node FROM storage_pools_nodes s JOIN nodes ON nodes.id = s.node_id${scope.replace('storage_pool_id', 's.storage_pool_id')} ORDER BY nodes.name`,
      params,
    );
    return pools.map((p) => {
      const own = config.filter((c) => Number(c.storage_pool_id) === Number(p.id));
      const memberConfig = new Map<number, Record<string, string>>();
      for (const c of own.filter((c) => c.node_id !== null)) {
        const id = Number(c.node_id);
        memberConfig.set(id, { ...(memberConfig.get(id) ?? {}), [c.key]: c.value ?? '' });
      }
      return {
        id: Number(p.id),
        name: p.name,
        driver: p.driver,
        description: p.description,
        state: Number(p.state),
        config: Object.fromEntries(own.filter((c) => c.node_id === null).map((c) => [c.key, c.value ?? ''])),
        memberConfig,
        members: new Map(members.filter((m) => Number(m.storage_pool_id) === Number(p.id)).map((m) => [Number(m.node_id), { name: m.node, state: Number(m.state) }])),
      };
    });
  }
}
