import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertReplicable } from './deterministic-sql';
import { GLOBAL_SCHEMA_UPDATES, GLOBAL_SCHEMA_VERSION, migrationTxs, schemaVersion } from './global-schema';
import { GlobalStateMachine } from './global-state-machine';
import { entriesOf, noopEntry, sqlEntry, tempDir, txEntry } from './test-util';

const NOW = '2025-01-02T03:04:05.000Z';

describe('global schema', () => {
  let dir: string;
  const open: GlobalStateMachine[] = [];
  const openSm = (name = 'global.db'): GlobalStateMachine => {
    const sm = GlobalStateMachine.open(path.join(dir, name));
    open.push(sm);
    return sm;
  };
  beforeEach(() => {
    dir = tempDir('global-schema-');
  });
  afterEach(() => {
    for (const sm of open.splice(0)) sm.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has only replicable statements and no clock defaults', () => {
    for (const tx of migrationTxs(0, NOW)) for (const st of tx.statements) expect(() => assertReplicable(st.sql)).not.toThrow();
    expect(GLOBAL_SCHEMA_UPDATES.flat().join('\n')).not.toMatch(/CURRENT_|'now'/i);
  });

  it('builds the schema through apply()', () => {
    const sm = openSm();
    expect(schemaVersion(sm)).toBe(0);
    const txs = migrationTxs(0, NOW);
    expect(txs).toHaveLength(GLOBAL_SCHEMA_VERSION);
    const res = sm.apply(entriesOf(txs));
    expect(res.every((r) => r.ok)).toBe(true);
    expect(schemaVersion(sm)).toBe(GLOBAL_SCHEMA_VERSION);
    expect(sm.query('SELECT version, updated_at FROM schema ORDER BY version')).toEqual(
      Array.from({ length: GLOBAL_SCHEMA_VERSION }, (_, i) => ({ version: i + 1, updated_at: NOW })),
    );
    const tables = sm.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map((r) => r.name);
    for (const t of [
      'certificates',
      'cluster_groups',
      'config',
      'images',
      'images_aliases',
      'images_nodes',
      'images_properties',
      'instances',
      'instances_config',
      'instances_devices',
      'instances_devices_config',
      'instances_profiles',
      'instances_snapshots',
      'instances_snapshots_config',
      'instances_snapshots_devices',
      'instances_snapshots_devices_config',
      'networks',
      'networks_config',
      'networks_nodes',
      'nodes',
      'nodes_cluster_groups',
      'nodes_config',
      'nodes_roles',
      'operations',
      'profiles',
      'profiles_config',
      'profiles_devices',
      'profiles_devices_config',
      'projects',
      'projects_config',
      'raft_applied',
      'schema',
      'storage_pools',
      'storage_pools_config',
      'storage_pools_nodes',
      'storage_volumes',
      'storage_volumes_config',
      'warnings',
    ]) {
      expect(tables).toContain(t);
    }
    expect(sm.query('SELECT id, name FROM projects')).toEqual([{ id: 1, name: 'default' }]);
    expect(sm.query('SELECT p.name AS profile, j.name AS project FROM profiles p JOIN projects j ON j.id = p.project_id')).toEqual([
      { profile: 'default', project: 'default' },
    ]);
    expect(sm.schemaSql()).not.toMatch(/CURRENT_TIMESTAMP/i);
  });

  it('migrates step by step to the same database as in one go', () => {
    const oneGo = openSm('a.db');
    oneGo.apply(entriesOf(migrationTxs(0, NOW)));
    const steps = openSm('b.db');
    steps.apply(entriesOf(migrationTxs(0, NOW).slice(0, 1)));
    expect(schemaVersion(steps)).toBe(1);
    const rest = migrationTxs(schemaVersion(steps), NOW);
    expect(rest).toHaveLength(GLOBAL_SCHEMA_VERSION - 1);
    steps.apply(entriesOf(rest, 2));
    expect(steps.tableChecksums()).toEqual(oneGo.tableChecksums());
    expect(steps.schemaSql()).toBe(oneGo.schemaSql());
    expect(migrationTxs(GLOBAL_SCHEMA_VERSION, NOW)).toEqual([]);
  });

  it('runs a migration once: a duplicated proposal fails and changes nothing', () => {
    const sm = openSm();
    const txs = migrationTxs(0, NOW);
    sm.apply(entriesOf(txs));
    const sums = sm.tableChecksums();
    const schema = sm.schemaSql();
    let index = sm.appliedIndex();
    // Both members proposed the same migrations; the second copies arrive later.
    const dup = sm.apply(txs.map((tx) => txEntry(++index, 2, tx)));
    expect(dup.map((r) => (r.ok ? 'ok' : `${r.error.code}@${r.error.statement}`))).toEqual(txs.map(() => 'SQLITE_CONSTRAINT_UNIQUE@2'));
    expect(sm.schemaSql()).toBe(schema);
    const after = sm.tableChecksums();
    expect({ ...after, raft_applied: '' }).toEqual({ ...sums, raft_applied: '' });
    expect(schemaVersion(sm)).toBe(GLOBAL_SCHEMA_VERSION);
  });

  it('refuses an update applied before its predecessors', () => {
    const sm = openSm();
    const [, second] = migrationTxs(0, NOW);
    const [res] = sm.apply([txEntry(1, 1, second)]);
    expect(res).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'schema update applied before its predecessors' } });
    expect(sm.query("SELECT name FROM sqlite_schema WHERE name IN ('warnings', 'schema')")).toEqual([]);
  });

  it('refuses to migrate a database newer than the code', () => {
    expect(() => migrationTxs(GLOBAL_SCHEMA_VERSION + 1, NOW)).toThrow(/newer than this member's/);
    expect(() => migrationTxs(-1, NOW)).toThrow(RangeError);
  });

  it('enforces foreign keys and uniqueness', () => {
    const sm = openSm();
    sm.apply(entriesOf(migrationTxs(0, NOW)));
    let i = sm.appliedIndex();
    const res = sm.apply([
      noopEntry(++i, 2),
      sqlEntry(++i, 2, 'INSERT INTO nodes (id, name, address, schema, api_extensions, heartbeat, arch) VALUES (?, ?, ?, ?, ?, ?, ?)', 1, 'm1', '10.0.0.1:8443', 2, 400, NOW, 2),
      sqlEntry(++i, 2, 'INSERT INTO nodes (name, address, schema, api_extensions, arch) VALUES (?, ?, ?, ?, ?)', 'm2', '10.0.0.1:8443', 2, 400, 2),
      sqlEntry(++i, 2, 'INSERT INTO instances (node_id, name, architecture, type, creation_date, project_id) VALUES (?, ?, ?, ?, ?, ?)', 7, 'c1', 2, 0, NOW, 1),
      sqlEntry(++i, 2, 'INSERT INTO instances (node_id, name, architecture, type, creation_date, project_id) VALUES (?, ?, ?, ?, ?, ?)', 1, 'c1', 2, 0, NOW, 1),
      sqlEntry(++i, 2, 'INSERT INTO instances_profiles (instance_id, profile_id, apply_order) VALUES (?, ?, ?)', 1, 1, 0),
      sqlEntry(++i, 2, 'DELETE FROM nodes WHERE id = ?', 1),
    ]);
    expect(res.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ok', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_FOREIGNKEY', 'ok', 'ok', 'ok']);
    // ON DELETE CASCADE removed the instance and its profile link.
    expect(sm.query('SELECT count(*) AS n FROM instances')).toEqual([{ n: 0 }]);
    expect(sm.query('SELECT count(*) AS n FROM instances_profiles')).toEqual([{ n: 0 }]);
  });
});
