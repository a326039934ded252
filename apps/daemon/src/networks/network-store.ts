/**
 * Managed networks in the global database (networks, networks_config, networks_nodes), as LXD
 * keeps them: defined once for the cluster with global config (node_id NULL) and member-specific
 * config, and a row per member that has the network. In a cluster a network can be defined member
 * by member first (`?target=`, Pending) and then created for all; or created for all at once.
 */
import { Injectable } from '@nestjs/common';
import { type ConsistentReader, type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { Databases } from '../database/databases';
import { badRequest, conflict, notFound } from '../http/lxd-error';
import { execGuarded } from '../database/guarded-exec';
import { storedEntries } from '../database/stored-config';
import { globalConfigUnchanged } from '../database/config-guard';
import { profileUrl } from '../profiles/profile-url';

export const NETWORK_PENDING = 0;
export const NETWORK_CREATED = 1;
/** networks.type of a bridge. */
export const NETWORK_TYPE_BRIDGE = 0;

export interface NetworkRecord {
  id: number;
  name: string;
  project: string;
  description: string;
  state: number;
  type: string;
  config: Record<string, string>;
  /** Member-specific config by node id. */
  memberConfig: Map<number, Record<string, string>>;
  /** Members that have the network, by node id. */
  members: Map<number, { name: string; state: number }>;
}

export interface NetworkInput {
  name: string;
  project: string;
  description: string;
  config: Record<string, string>;
}

@Injectable()
export class NetworkStore {
  constructor(private readonly databases: Databases) {}

  async list(project: string): Promise<NetworkRecord[]> {
    return this.databases.global.read((r) => this.load(r, project));
  }

  async get(project: string, name: string): Promise<NetworkRecord> {
    const [found] = await this.databases.global.read((r) => this.load(r, project, name));
    if (!found) throw notFound('Network not found');
    return found;
  }

  async find(project: string, name: string): Promise<NetworkRecord | undefined> {
    const [found] = await this.databases.global.read((r) => this.load(r, project, name));
    return found;
  }

  /** The created networks of every project, from this member's copy of the database (no round trip). */
  listLocally(): NetworkRecord[] {
    const sm = this.databases.global.stateMachine;
    const projects = sm.query<{ name: string }>('SELECT name FROM projects ORDER BY name');
    const out: NetworkRecord[] = [];
    for (const p of projects) out.push(...this.loadSync((sql, params) => sm.query(sql, params as never), p.name));
    return out;
  }

  async usedBy(project: string, name: string): Promise<string[]> {
    return this.databases.global.read(async (r) => {
      const profiles = await r.query<{ name: string }>(
        `SELECT DISTINCT p.name FROM profiles p JOIN projects ON projects.id = p.project_id
         JOIN profiles_devices d ON d.profile_id = p.id JOIN profiles_devices_config c ON c.profile_device_id = d.id
         WHERE projects.name = ? AND c.key IN ('network', 'parent') AND c.value = ? ORDER BY p.name`,
        [project, name],
      );
      const instances = await r.query<{ name: string }>(
        `SELECT DISTINCT i.name FROM instances i JOIN projects ON projects.id = i.project_id
         JOIN instances_devices d ON d.instance_id = i.id JOIN instances_devices_config c ON c.instance_device_id = d.id
         WHERE projects.name = ? AND c.key IN ('network', 'parent') AND c.value = ? ORDER BY i.name`,
        [project, name],
      );
      return [...profiles.map((p) => profileUrl(p.name)), ...instances.map((i) => `/1.0/instances/${i.name}`)];
    });
  }

  async defineOnMember(input: NetworkInput, nodeId: number, nodeName: string): Promise<void> {
    const existing = await this.find(input.project, input.name);
    if (existing?.state === NETWORK_CREATED) throw conflict('The network already exists');
    if (existing?.members.has(nodeId)) throw badRequest(`The network is already defined on member "${nodeName}"`);
    await this.write([
      {
        sql: `INSERT OR IGNORE INTO networks (project_id, name, description, state, type) SELECT id, ?, ?, ?, ? FROM projects WHERE name = ?`,
        params: [input.name, input.description, NETWORK_PENDING, NETWORK_TYPE_BRIDGE, input.project],
      },
      {
        sql: `INSERT INTO networks_nodes (network_id, node_id, state) SELECT n.id, ?, ? FROM networks n JOIN projects p ON p.id = n.project_id
              WHERE p.name = ? AND n.name = ? AND n.state = ?`,
        params: [nodeId, NETWORK_PENDING, input.project, input.name, NETWORK_PENDING],
        expect: 1,
      },
      ...this.configStatements(input, nodeId, input.config),
    ], input.name);
  }

  /** Creates the network for the members given (a pending network becomes Created). */
  async create(input: NetworkInput, nodeIds: number[]): Promise<void> {
    const existing = await this.find(input.project, input.name);
    if (existing?.state === NETWORK_CREATED) throw conflict('The network already exists');
    const statements: SqlStatement<TxParam>[] = [];
    if (existing) {
      statements.push(
        { sql: 'UPDATE networks SET state = ?, description = ? WHERE id = ? AND state = ?', params: [NETWORK_CREATED, input.description, existing.id, NETWORK_PENDING], expect: 1 },
        { sql: 'UPDATE networks_nodes SET state = ? WHERE network_id = ?', params: [NETWORK_CREATED, existing.id] },
      );
    } else {
      statements.push({
        sql: 'INSERT INTO networks (project_id, name, description, state, type) SELECT id, ?, ?, ?, ? FROM projects WHERE name = ?',
        params: [input.name, input.description, NETWORK_CREATED, NETWORK_TYPE_BRIDGE, input.project],
        expect: 1,
      });
    }
    for (const nodeId of nodeIds) {
      statements.push({
        sql: `INSERT OR IGNORE INTO networks_nodes (network_id, node_id, state) SELECT n.id, ?, ? FROM networks n JOIN projects p ON p.id = n.project_id
              WHERE p.name = ? AND n.name = ?`,
        params: [nodeId, NETWORK_CREATED, input.project, input.name],
      });
    }
    statements.push(...this.configStatements(input, null, input.config));
    await this.write(statements, input.name);
  }

  /** Gives a member that joined after the network was created its row. */
  async addMember(network: NetworkRecord, nodeId: number): Promise<void> {
    await this.databases.global.exec({
      statements: [{ sql: 'INSERT OR IGNORE INTO networks_nodes (network_id, node_id, state) VALUES (?, ?, ?)', params: [network.id, nodeId, NETWORK_CREATED] }],
    });
  }

  /**
   * Replaces the description and global config, if they are still those of `expected` (else 412):
   * the network as it was read, or as this member last wrote it (to put it back).
   */
  async update(expected: Pick<NetworkRecord, 'id' | 'description' | 'config'>, description: string, config: Record<string, string>): Promise<void> {
    const statements: SqlStatement<TxParam>[] = [
      globalConfigUnchanged({ table: 'networks', configTable: 'networks_config', idColumn: 'network_id' }, expected),
      { sql: 'UPDATE networks SET description = ? WHERE id = ?', params: [description, expected.id], expect: 1 },
      { sql: 'DELETE FROM networks_config WHERE network_id = ? AND node_id IS NULL', params: [expected.id] },
      ...storedEntries(config).map(([key, value]) => ({ sql: 'INSERT INTO networks_config (network_id, node_id, key, value) VALUES (?, NULL, ?, ?)', params: [expected.id, key, value] as TxParam[] })),
    ];
    await execGuarded(this.databases, statements, 'network');
  }

  async rename(network: NetworkRecord, to: string): Promise<void> {
    await this.write([{ sql: 'UPDATE networks SET name = ? WHERE id = ?', params: [to, network.id], expect: 1 }], to);
  }

  async delete(network: NetworkRecord): Promise<void> {
    await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM networks WHERE id = ?', params: [network.id], expect: 1 }] });
  }

  private configStatements(input: NetworkInput, nodeId: number | null, config: Record<string, string>): SqlStatement<TxParam>[] {
    return storedEntries(config).map(([key, value]) => ({
      sql: `INSERT INTO networks_config (network_id, node_id, key, value) SELECT n.id, ?, ?, ? FROM networks n JOIN projects p ON p.id = n.project_id
            WHERE p.name = ? AND n.name = ?`,
      params: [nodeId, key, value, input.project, input.name] as TxParam[],
    }));
  }

  private async write(statements: SqlStatement<TxParam>[], name: string): Promise<void> {
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw conflict(`The network "${name}" changed meanwhile: try again`);
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict(`The network "${name}" already exists`);
      throw err;
    }
  }

  private async load(r: ConsistentReader, project: string, name?: string): Promise<NetworkRecord[]> {
    const rows = new Map<string, unknown[]>();
    const queries = this.queries(project, name);
    for (const [key, q] of Object.entries(queries)) rows.set(key, await r.query(q.sql, q.params));
    return this.assemble(project, rows);
  }

  private loadSync(query: (sql: string, params: unknown[]) => unknown[], project: string): NetworkRecord[] {
    const rows = new Map<string, unknown[]>();
    for (const [key, q] of Object.entries(this.queries(project))) rows.set(key, query(q.sql, q.params));
    return this.assemble(project, rows).filter((n) => n.state === NETWORK_CREATED);
  }

  private queries(project: string, name?: string): Record<string, { sql: string; params: string[] }> {
    const scope = `SELECT n.id FROM networks n JOIN projects p ON p.id = n.project_id WHERE p.name = ?${name !== undefined ? ' AND n.name = ?' : ''}`;
    const params = name !== undefined ? [project, name] : [project];
    return {
      networks: { sql: `SELECT id, name, description, state, type FROM networks WHERE id IN (${scope}) ORDER BY name`, params },
      config: { sql: `SELECT network_id, node_id, key, value FROM networks_config WHERE network_id IN (${scope}) ORDER BY key`, params },
      members: {
        sql: `SELECT nn.network_id, nn.node_id, nn.state, nodes.name AS node FROM networks_nodes nn JOIN nodes ON nodes.id = nn.node_id WHERE nn.network_id IN (${scope}) ORDER BY nodes.name`,
        params,
      },
    };
  }

  private assemble(project: string, rows: Map<string, unknown[]>): NetworkRecord[] {
    const networks = rows.get('networks') as Array<{ id: number; name: string; description: string; state: number; type: number }>;
    const config = rows.get('config') as Array<{ network_id: number; node_id: number | null; key: string; value: string | null }>;
    const members = rows.get('members') as Array<{ network_id: number; node_id: number; state: number; node: string }>;
    return networks.map((n) => {
      const own = config.filter((c) => Number(c.network_id) === Number(n.id));
      const memberConfig = new Map<number, Record<string, string>>();
      for (const c of own.filter((c) => c.node_id !== null)) {
        const id = Number(c.node_id);
        memberConfig.set(id, { ...(memberConfig.get(id) ?? {}), [c.key]: c.value ?? '' });
      }
      return {
        id: Number(n.id),
        name: n.name,
        project,
        description: n.description,
        state: Number(n.state),
        type: 'bridge',
        config: Object.fromEntries(own.filter((c) => c.node_id === null).map((c) => [c.key, c.value ?? ''])),
        memberConfig,
        members: new Map(members.filter((m) => Number(m.network_id) === Number(n.id)).map((m) => [Number(m.node_id), { name: m.node, state: Number(m.state) }])),
      };
    });
  }
}
