import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Role } from '@app/raft';
import { LocalDatabase, RaftNodeRole, raftNodeRoleToRole, roleToRaftNodeRole } from './local-database';
import { LOCAL_SCHEMA_VERSION } from './local-schema';

describe('LocalDatabase', () => {
  let dir: string;
  let file: string;
  const open: LocalDatabase[] = [];
  const openDb = (): LocalDatabase => {
    const db = LocalDatabase.open(file, { now: () => new Date('2025-05-06T07:08:09.000Z') });
    open.push(db);
    return db;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-db-'));
    file = path.join(dir, 'local.db');
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates its schema with WAL and synchronous FULL', () => {
    const db = openDb();
    expect(db.schemaVersion()).toBe(LOCAL_SCHEMA_VERSION);
    expect(db.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.connection.pragma('synchronous', { simple: true })).toBe(2); // FULL
    const tables = (db.connection.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter(
      (n) => !n.startsWith('sqlite_'),
    );
    expect(tables).toEqual(['config', 'patches', 'raft_nodes', 'schema']);
    expect(db.connection.prepare('SELECT version, updated_at FROM schema').all()).toEqual([{ version: 1, updated_at: '2025-05-06T07:08:09.000Z' }]);
  });

  it('keeps config across a reopen', () => {
    let db = openDb();
    expect(db.getConfig('cluster.https_address')).toBeUndefined();
    db.setConfig('cluster.https_address', '10.0.0.1:8443');
    db.setConfig('core.https_address', '[::]:8443');
    db.setConfig('core.https_address', '0.0.0.0:8443');
    db.setConfigs({ 'a.b': 'c', 'cluster.https_address': null, 'd ünïcode': '✓' });
    expect(db.unsetConfig('missing')).toBe(false);
    db.close();
    db = openDb();
    expect(db.getConfig('cluster.https_address')).toBeUndefined();
    expect(db.allConfig()).toEqual({ 'a.b': 'c', 'core.https_address': '0.0.0.0:8443', 'd ünïcode': '✓' });
    expect(db.unsetConfig('a.b')).toBe(true);
    expect(db.getConfig('a.b')).toBeUndefined();
    expect(() => db.setConfigs({ x: 1 as unknown as string })).toThrow(TypeError);
    expect(db.getConfig('x')).toBeUndefined();
  });

  it('keeps raft nodes across a reopen and replaces them atomically', () => {
    let db = openDb();
    expect(db.raftNodes()).toEqual([]);
    const nodes = [
      { id: 3, address: '10.0.0.3:8443', role: RaftNodeRole.Spare, name: 'm3' },
      { id: 1, address: '10.0.0.1:8443', role: RaftNodeRole.Voter, name: 'm1' },
      { id: 2, address: '10.0.0.2:8443', role: RaftNodeRole.Standby, name: '' },
    ];
    db.replaceRaftNodes(nodes);
    db.close();
    db = openDb();
    expect(db.raftNodes()).toEqual([...nodes].sort((a, b) => a.id - b.id));
    // A list that breaks a constraint leaves the old one in place.
    expect(() =>
      db.replaceRaftNodes([
        { id: 1, address: 'same:1', role: RaftNodeRole.Voter, name: 'a' },
        { id: 2, address: 'same:1', role: RaftNodeRole.Voter, name: 'b' },
      ]),
    ).toThrow(/UNIQUE constraint failed: raft_nodes.address/);
    expect(() => db.replaceRaftNodes([{ id: 1, address: 'x:1', role: 7 as RaftNodeRole, name: '' }])).toThrow(/bad raft node role 7/);
    expect(() => db.replaceRaftNodes([{ id: 0, address: 'x:1', role: RaftNodeRole.Voter, name: '' }])).toThrow(/bad raft node id/);
    expect(db.raftNodes()).toHaveLength(3);
    db.replaceRaftNodes([]);
    expect(db.raftNodes()).toEqual([]);
  });

  it('maps roles to and from the Raft library', () => {
    for (const role of [Role.Voter, Role.Standby, Role.Spare]) expect(raftNodeRoleToRole(roleToRaftNodeRole(role))).toBe(role);
    expect(roleToRaftNodeRole(Role.Standby)).toBe(1);
    expect(() => raftNodeRoleToRole(5 as RaftNodeRole)).toThrow(RangeError);
  });

  it('records patches once', () => {
    let db = openDb();
    expect(db.isPatchApplied('p1')).toBe(false);
    expect(db.markPatchApplied('p1')).toBe(true);
    expect(db.markPatchApplied('p1', new Date('2030-01-01T00:00:00Z'))).toBe(false);
    db.close();
    db = openDb();
    expect(db.isPatchApplied('p1')).toBe(true);
    expect(db.isPatchApplied('p2')).toBe(false);
    expect(db.appliedPatches()).toEqual([{ name: 'p1', appliedAt: '2025-05-06T07:08:09.000Z' }]);
  });

  it('refuses a database from a newer version', () => {
    const db = openDb();
    db.connection.prepare('INSERT INTO schema (version, updated_at) VALUES (?, ?)').run(LOCAL_SCHEMA_VERSION + 1, 'later');
    db.close();
    expect(() => LocalDatabase.open(file)).toThrow(/newer than this program's/);
  });

  it('runs administrator SQL in one transaction and shows its schema and dump', () => {
    const db = openDb();
    const res = db.executeSql(["INSERT INTO config (key, value) VALUES ('a', '1')", "UPDATE config SET value = '2' WHERE key = 'a'", 'SELECT key, value FROM config']);
    expect(res).toEqual([{ changes: 1 }, { changes: 1 }, { changes: 0, columns: ['key', 'value'], rows: [['a', '2']] }]);
    // A failing statement rolls the whole batch back.
    expect(() => db.executeSql(["INSERT INTO config (key, value) VALUES ('b', '1')", 'INSERT INTO nope VALUES (1)'])).toThrow(/no such table: nope/);
    expect(db.getConfig('b')).toBeUndefined();
    expect(db.schemaSql()).toMatch(/CREATE TABLE raft_nodes/);
    expect(db.dumpSql()).toMatch(/INSERT INTO "config"\(.*'a','2'\);/);
  });
});
