import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { type Entry, EntryType } from '@app/raft';
import { EXPECTATION_FAILED, GlobalStateMachine, GlobalStateRestoreError, ReadOnlyQueryError } from './global-state-machine';
import { encodeTx, LEADER, type ReplicatedTx } from './replicated-tx';
import { tableChecksums } from './sqlite-inspect';
import { confChangeEntry, entriesOf, noopEntry, sqlEntry, tempDir, txEntry } from './test-util';

const SCHEMA: ReplicatedTx = {
  statements: [
    { sql: 'CREATE TABLE kv (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE, v)', params: [] },
    { sql: 'CREATE TABLE child (id INTEGER PRIMARY KEY, kv_id INTEGER NOT NULL REFERENCES kv (id) ON DELETE CASCADE, note TEXT)', params: [] },
    // No INTEGER PRIMARY KEY: rows keep implicit rowids.
    { sql: 'CREATE TABLE tags (name TEXT NOT NULL, weight REAL, data BLOB, UNIQUE (name))', params: [] },
    { sql: 'CREATE TABLE pairs (a TEXT NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID', params: [] },
    { sql: 'CREATE INDEX kv_v_idx ON kv (v)', params: [] },
    { sql: 'CREATE VIEW kv_view AS SELECT k, v FROM kv', params: [] },
  ],
};

/** A deterministic mixed workload: inserts, updates, deletes, failures, every value type. */
function workload(n: number, first: number): Entry[] {
  const out: Entry[] = [];
  let index = first;
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < n; i++) {
    const term = 1 + Math.floor(i / 50);
    const r = rnd();
    if (i % 37 === 36) {
      out.push(noopEntry(index++, term));
    } else if (r < 0.4) {
      const v = [i, -i * 1.5, `text ${i} ✓`, BigInt(2 ** 53) * BigInt(i + 1), new Uint8Array([i & 255, 0, 255]), null, true][i % 7];
      out.push(
        txEntry(index++, term, {
          statements: [
            { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: [`key-${i}`, v] },
            { sql: 'INSERT INTO child (kv_id, note) VALUES (last_insert_rowid(), ?)', params: [`child of ${i}`] },
          ],
        }),
      );
    } else if (r < 0.55) {
      out.push(sqlEntry(index++, term, 'UPDATE kv SET v = ? WHERE id % 3 = ?', `upd ${i}`, i % 3));
    } else if (r < 0.65) {
      out.push(sqlEntry(index++, term, 'DELETE FROM kv WHERE id = ?', Math.floor(rnd() * i) + 1));
    } else if (r < 0.8) {
      out.push(sqlEntry(index++, term, 'INSERT OR REPLACE INTO tags (name, weight, data) VALUES (?, ?, ?)', `tag${i % 10}`, i / 7, new Uint8Array([i % 256])));
    } else if (r < 0.9) {
      out.push(sqlEntry(index++, term, 'INSERT OR IGNORE INTO pairs (a, b) VALUES (?, ?)', `p${i % 5}`, i % 11));
    } else {
      // Fails on the UNIQUE key: no change, but the index advances.
      out.push(sqlEntry(index++, term, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'key-0', 'dup'));
    }
  }
  return out;
}

describe('GlobalStateMachine', () => {
  let dir: string;
  const open: GlobalStateMachine[] = [];
  const openSm = (name: string, opts = {}): GlobalStateMachine => {
    const sm = GlobalStateMachine.open(path.join(dir, name), opts);
    open.push(sm);
    return sm;
  };

  beforeEach(() => {
    dir = tempDir('global-sm-');
  });
  afterEach(() => {
    for (const sm of open.splice(0)) {
      try {
        sm.close();
      } catch {
        /* already closed or broken on purpose */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts at applied index 0 with WAL, foreign keys and the raft_applied table', () => {
    const sm = openSm('global.db');
    expect(sm.appliedIndex()).toBe(0);
    expect(sm.appliedState()).toEqual({ index: 0, term: 0 });
    expect(sm.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sm.connection.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(sm.connection.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sm.query('SELECT id, idx, term FROM raft_applied')).toEqual([{ id: 1, idx: 0, term: 0 }]);
    expect(sm.schemaSql()).toContain('CREATE TABLE raft_applied');
  });

  it('advances over no-op and membership entries', () => {
    const sm = openSm('global.db');
    const res = sm.apply([noopEntry(1, 1), confChangeEntry(2, 1), noopEntry(3, 2)]);
    expect(res).toEqual([
      { index: 1, ok: true, changes: 0, lastInsertRowid: 0, statements: [] },
      { index: 2, ok: true, changes: 0, lastInsertRowid: 0, statements: [] },
      { index: 3, ok: true, changes: 0, lastInsertRowid: 0, statements: [] },
    ]);
    expect(sm.appliedState()).toEqual({ index: 3, term: 2 });
    expect(sm.query('SELECT idx, term FROM raft_applied')).toEqual([{ idx: 3, term: 2 }]);
  });

  it('applies transactions and reports changes, rowids and returned rows', () => {
    const sm = openSm('global.db');
    expect(sm.apply(entriesOf([SCHEMA]))[0]).toMatchObject({ index: 1, ok: true });
    const res = sm.apply([
      txEntry(2, 1, {
        statements: [
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['a', 1] },
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['b', 2n ** 60n] },
        ],
      }),
      sqlEntry(3, 1, 'INSERT INTO kv (k, v) VALUES (?, ?) RETURNING id, k', 'c', new Uint8Array([1, 2])),
      sqlEntry(4, 2, 'UPDATE kv SET v = NULL WHERE k IN (?, ?)', 'a', 'c'),
      sqlEntry(5, 2, 'SELECT k FROM kv ORDER BY k'),
    ]);
    expect(res[0]).toEqual({ index: 2, ok: true, changes: 2, lastInsertRowid: 2, statements: [{ changes: 1 }, { changes: 1 }] });
    expect(res[1]).toEqual({
      index: 3,
      ok: true,
      changes: 1,
      lastInsertRowid: 3,
      rows: [{ id: 3, k: 'c' }],
      statements: [{ changes: 1, columns: ['id', 'k'], rows: [[3, 'c']] }],
    });
    expect(res[2]).toMatchObject({ index: 4, ok: true, changes: 2 });
    expect(res[3]).toMatchObject({ index: 5, ok: true, changes: 0, rows: [{ k: 'a' }, { k: 'b' }, { k: 'c' }] });
    expect(sm.appliedState()).toEqual({ index: 5, term: 2 });
    sm.close();
    const exact = GlobalStateMachine.open(path.join(dir, 'global.db'), { safeIntegers: true });
    open.push(exact);
    expect(exact.query("SELECT v FROM kv WHERE k = 'b'")).toEqual([{ v: 2n ** 60n }]);
  });

  it('applies a transaction atomically: a failing statement leaves no trace, the index still advances', () => {
    const sm = openSm('global.db');
    sm.apply(entriesOf([SCHEMA]));
    sm.apply([sqlEntry(2, 1, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'taken', 0)]);
    const before = sm.tableChecksums();
    const res = sm.apply([
      txEntry(3, 1, {
        statements: [
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['fresh', 1] },
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['taken', 2] },
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['never', 3] },
        ],
      }),
    ]);
    expect(res).toEqual([
      {
        index: 3,
        ok: false,
        error: { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: kv.k', statement: 1 },
      },
    ]);
    expect(sm.query('SELECT k FROM kv ORDER BY id')).toEqual([{ k: 'taken' }]);
    expect(sm.appliedState()).toEqual({ index: 3, term: 1 });
    const after = sm.tableChecksums();
    expect(after.raft_applied).not.toBe(before.raft_applied);
    expect({ ...after, raft_applied: '' }).toEqual({ ...before, raft_applied: '' });
    // The next entry applies normally.
    expect(sm.apply([sqlEntry(4, 1, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'fresh', 1)])[0]).toMatchObject({ ok: true, changes: 1 });
  });

  it('applies a batch in one transaction with the outcome of one transaction per entry, even when an entry rolls everything back', () => {
    const batch = (sm: GlobalStateMachine, entries: Entry[]) => sm.apply(entries);
    const single = (sm: GlobalStateMachine, entries: Entry[]) => entries.flatMap((e) => sm.apply([e]));
    const entries = [
      ...entriesOf([SCHEMA]),
      sqlEntry(2, 1, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'a', 1),
      sqlEntry(3, 1, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'b', 2),
      // Fails on the UNIQUE key with ON CONFLICT ROLLBACK: SQLite ends the whole transaction.
      sqlEntry(4, 1, 'INSERT OR ROLLBACK INTO kv (k, v) VALUES (?, ?)', 'a', 3),
      sqlEntry(5, 1, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'c', 4),
      sqlEntry(6, 1, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'c', 5),
    ];
    const [a, b] = [openSm('batch.db'), openSm('single.db')];
    const viaBatch = batch(a, entries);
    expect(viaBatch).toEqual(single(b, entries));
    expect(viaBatch.map((r) => r.ok)).toEqual([true, true, true, false, true, false]);
    expect(a.tableChecksums()).toEqual(b.tableChecksums());
    expect(a.query('SELECT k, v FROM kv ORDER BY k')).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
      { k: 'c', v: 4 },
    ]);
    expect(a.appliedIndex()).toBe(6);
  });

  it('records deterministic failures of every kind and moves on', () => {
    const sm = openSm('global.db');
    sm.apply(entriesOf([SCHEMA]));
    const bad: Entry[] = [
      sqlEntry(2, 1, 'INSERT INTO nope VALUES (1)'),
      sqlEntry(3, 1, 'INSERT INTO child (kv_id) VALUES (?)', 999), // foreign key
      sqlEntry(4, 1, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'only one'),
      sqlEntry(5, 1, 'INSERT INTO kv (k) VALUES (?); DELETE FROM kv', 'x'),
      txEntry(6, 1, { statements: [{ sql: 'INSERT INTO kv (k) VALUES (?)', params: ['y'] }, { sql: 'COMMIT', params: [] }] }, { unchecked: true }),
      txEntry(7, 1, { statements: [{ sql: 'PRAGMA foreign_keys = OFF', params: [] }] }, { unchecked: true }),
      { index: 8, term: 1, type: 0, data: new Uint8Array([1, 5, 0]) }, // damaged entry
      sqlEntry(9, 1, 'INSERT INTO kv (k) VALUES (?)', 'not null ok'),
    ];
    const res = sm.apply(bad);
    expect(res.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'SQLITE_ERROR',
      'SQLITE_CONSTRAINT_FOREIGNKEY',
      'RangeError',
      'RangeError',
      'StatementRefusedError',
      'StatementRefusedError',
      'ReplicatedTxDecodeError',
      'ok',
    ]);
    expect(res[4]).toMatchObject({ ok: false, error: { statement: 1, message: 'COMMIT is not allowed in a replicated write' } });
    expect(sm.query('SELECT k FROM kv')).toEqual([{ k: 'not null ok' }]);
    expect(sm.connection.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sm.appliedIndex()).toBe(9);
  });

  it('throws on failures of the environment without advancing', () => {
    const sm = openSm('global.db');
    sm.apply(entriesOf([SCHEMA]));
    sm.connection.pragma('query_only = ON'); // every write fails with SQLITE_READONLY
    const e = sqlEntry(2, 1, 'INSERT INTO kv (k) VALUES (?)', 'a');
    expect(() => sm.apply([e])).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    expect(sm.appliedIndex()).toBe(1);
    sm.connection.pragma('query_only = OFF');
    expect(sm.apply([e])).toEqual([{ index: 2, ok: true, changes: 1, lastInsertRowid: 1, statements: [{ changes: 1 }] }]);
  });

  it('keeps other connections out of the replica while it is open', () => {
    const file = path.join(dir, 'global.db');
    const sm = openSm('global.db');
    sm.apply(entriesOf([SCHEMA]));
    const other = new Database(file, { timeout: 0 });
    try {
      expect(() => other.prepare('INSERT INTO kv (k) VALUES (?)').run('behind-the-log')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    } finally {
      other.close();
    }
    sm.close();
    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare('SELECT count(*) AS n FROM kv').get()).toEqual({ n: 0 });
    } finally {
      after.close();
    }
  });

  it('skips entries already applied and refuses gaps', () => {
    const sm = openSm('global.db');
    const entries = [...entriesOf([SCHEMA]), ...workload(20, 2)];
    sm.apply(entries.slice(0, 10));
    const sums = sm.tableChecksums();
    expect(sm.apply(entries.slice(0, 10))).toEqual([]);
    expect(sm.tableChecksums()).toEqual(sums);
    // Overlapping batch: only the new part is applied.
    expect(sm.apply(entries.slice(5, 15)).map((r) => r.index)).toEqual([11, 12, 13, 14, 15]);
    expect(() => sm.apply(entries.slice(16))).toThrow('global db: entry 17 does not follow the applied index 15');
    expect(sm.appliedIndex()).toBe(15);
  });

  it('is unchanged by replaying its entries after a restart', () => {
    const file = path.join(dir, 'global.db');
    const entries = [...entriesOf([SCHEMA]), ...workload(300, 2)];
    let sm = GlobalStateMachine.open(file);
    open.push(sm);
    sm.apply(entries);
    const sums = sm.tableChecksums();
    const dump = sm.dumpSql();
    sm.close();
    sm = openSm('global.db');
    expect(sm.appliedIndex()).toBe(entries.length);
    expect(sm.apply(entries)).toEqual([]);
    expect(sm.tableChecksums()).toEqual(sums);
    expect(sm.dumpSql()).toBe(dump);
  });

  it('ends identical on two replicas fed the same entries in different batches', () => {
    const entries = [...entriesOf([SCHEMA]), ...workload(500, 2)];
    const a = openSm('a.db');
    const b = openSm('b.db', { statementCacheSize: 2 });
    const resA = a.apply(entries);
    const resB: ReturnType<GlobalStateMachine['apply']> = [];
    for (let i = 0; i < entries.length; i += 7) resB.push(...b.apply(entries.slice(i, i + 7)));
    expect(resB).toEqual(resA);
    expect(resA.filter((r) => !r.ok).length).toBeGreaterThan(10);
    expect(a.tableChecksums()).toEqual(b.tableChecksums());
    expect(Object.keys(a.tableChecksums()).sort()).toEqual(['child', 'kv', 'pairs', 'raft_applied', 'raft_tx_results', 'sqlite_sequence', 'tags']);
    expect(a.dumpSql()).toBe(b.dumpSql());
    // And checksums do notice a difference.
    const c = openSm('c.db');
    c.apply(entries.slice(0, -1));
    expect(c.tableChecksums()).not.toEqual(a.tableChecksums());
  });

  it('keeps its statement cache bounded', () => {
    const sm = openSm('global.db', { statementCacheSize: 4 });
    sm.apply(entriesOf([SCHEMA]));
    const entries: Entry[] = [];
    for (let i = 0; i < 20; i++) entries.push(sqlEntry(2 + i, 1, `INSERT INTO kv (k, v) VALUES (?, ${i})`, `k${i}`));
    sm.apply(entries);
    expect((sm as unknown as { cache: Map<string, unknown> }).cache.size).toBe(4);
    expect(sm.query<{ n: number }>('SELECT count(*) AS n FROM kv')).toEqual([{ n: 20 }]);
  });

  it('fails the whole transaction when a guard statement affects another number of rows', () => {
    const sm = openSm('global.db');
    sm.apply([txEntry(1, 1, SCHEMA), sqlEntry(2, 1, "INSERT INTO kv (k, v) VALUES ('a', 1)")]);
    const cas = (index: number, from: number, to: number): Entry =>
      txEntry(index, 1, {
        statements: [
          { sql: "UPDATE kv SET v = ? WHERE k = 'a' AND v = ?", params: [to, from], expect: 1 },
          { sql: 'INSERT INTO tags (name) VALUES (?)', params: [`set ${to}`] },
        ],
      });
    const [won, lost] = sm.apply([cas(3, 1, 2), cas(4, 1, 3)]);
    expect(won).toMatchObject({ ok: true, changes: 2 });
    expect(lost).toEqual({ index: 4, ok: false, error: { code: EXPECTATION_FAILED, message: expect.stringMatching(/affected 0 rows.*expected 1/), statement: 0 } });
    expect(sm.query("SELECT v FROM kv WHERE k = 'a'")).toEqual([{ v: 2 }]);
    expect(sm.query('SELECT name FROM tags')).toEqual([{ name: 'set 2' }]);
    // A query as a guard counts the rows it returns.
    const guarded = sm.apply([
      txEntry(5, 1, { statements: [{ sql: "SELECT 1 FROM kv WHERE k = 'zz'", params: [], expect: 0 }, { sql: "INSERT INTO kv (k) VALUES ('zz')", params: [] }] }),
      txEntry(6, 1, { statements: [{ sql: "SELECT 1 FROM kv WHERE k = 'zz'", params: [], expect: 0 }, { sql: "INSERT INTO kv (k) VALUES ('zz2')", params: [] }] }),
    ]);
    expect(guarded.map((r) => r.ok)).toEqual([true, false]);
    expect(sm.appliedIndex()).toBe(6);
  });

  it('refuses an entry that still holds a leader value, the same way everywhere', () => {
    const sm = openSm('global.db');
    sm.apply([txEntry(1, 1, SCHEMA)]);
    const data = encodeTx({ statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['t', LEADER.now] }] }, { leaderValues: true });
    const [res] = sm.apply([{ index: 2, term: 1, type: EntryType.Normal, data }]);
    expect(res).toMatchObject({ ok: false, error: { code: 'ReplicatedTxDecodeError', message: expect.stringMatching(/leader value/) } });
    expect(sm.query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 0 }]);
  });

  it('answers queries with column names and rows as arrays', () => {
    const sm = openSm('global.db');
    sm.apply([txEntry(1, 1, SCHEMA), sqlEntry(2, 1, "INSERT INTO kv (k, v) VALUES ('a', 1), ('b', x'00ff')")]);
    const raw = sm.queryRaw('SELECT k, v, k AS again FROM kv ORDER BY k');
    expect(raw.columns).toEqual(['k', 'v', 'again']);
    expect(raw.rows).toEqual([
      ['a', 1, 'a'],
      ['b', Buffer.from([0, 255]), 'b'],
    ]);
    // The same cached statement still answers objects afterwards.
    expect(sm.query('SELECT k, v, k AS again FROM kv ORDER BY k')[0]).toEqual({ k: 'a', v: 1, again: 'a' });
    expect(() => sm.queryRaw("DELETE FROM kv WHERE k = 'a'")).toThrow(ReadOnlyQueryError);
  });

  it('serves only read-only queries', () => {
    const sm = openSm('global.db');
    sm.apply(entriesOf([SCHEMA]));
    expect(sm.query('SELECT ? AS a, ? AS b', [true, 2])).toEqual([{ a: 1, b: 2 }]);
    expect(() => sm.query('DELETE FROM kv')).toThrow(/read-only/);
    expect(() => sm.query("INSERT INTO kv (k) VALUES ('x') RETURNING id")).toThrow(/read-only/);
    expect(() => sm.query('PRAGMA foreign_keys')).toThrow(/read-only/);
    expect(sm.query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 0 }]);
  });

  describe('snapshots', () => {
    it('restores into a fresh database with the same content and applied index', () => {
      const entries = [...entriesOf([SCHEMA]), ...workload(200, 2)];
      const a = openSm('a.db');
      a.apply(entries.slice(0, 150));
      const snap = a.snapshot();
      const at = a.appliedState();
      expect(at.index).toBe(150);

      const b = openSm('b.db');
      b.apply([noopEntry(1, 1)]); // whatever it had is replaced
      b.restore(snap, at);
      expect(b.appliedState()).toEqual(at);
      expect(b.tableChecksums()).toEqual(a.tableChecksums());
      expect(b.connection.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(fs.readdirSync(dir).filter((f) => f.includes('restore'))).toEqual([]);

      // Both continue identically; a reopened copy too.
      a.apply(entries);
      b.apply(entries);
      expect(b.tableChecksums()).toEqual(a.tableChecksums());
      b.close();
      const b2 = openSm('b.db');
      expect(b2.appliedIndex()).toBe(entries.length);
      expect(b2.tableChecksums()).toEqual(a.tableChecksums());
    });

    it('refuses a snapshot whose raft_applied does not match, changing nothing', () => {
      const a = openSm('a.db');
      a.apply([...entriesOf([SCHEMA]), ...workload(20, 2)]);
      const snap = a.snapshot();
      const b = openSm('b.db');
      b.apply([noopEntry(1, 1), noopEntry(2, 1)]);
      const sums = b.tableChecksums();
      const files = fs.readdirSync(dir).sort();
      expect(() => b.restore(snap, { index: 20, term: 1 })).toThrow(GlobalStateRestoreError);
      expect(() => b.restore(snap, { index: 21, term: 9 })).toThrow("the snapshot's raft_applied is 21/1, expected 21/9");
      expect(() => b.restore(Buffer.from('not a database at all'), { index: 21, term: 1 })).toThrow(/not an SQLite database image/);
      const noTable = new Database(':memory:');
      const plain = noTable.serialize();
      noTable.close();
      expect(() => b.restore(plain, { index: 0, term: 0 })).toThrow(/no raft_applied table/);
      expect(b.appliedIndex()).toBe(2);
      expect(b.tableChecksums()).toEqual(sums);
      // No temporary file is left behind.
      expect(fs.readdirSync(dir).sort()).toEqual(files);
      expect(files).toEqual(['a.db', 'a.db-wal', 'b.db', 'b.db-wal']);
    });
  });

  describe('dumps', () => {
    it('dumpSql() loaded into a fresh SQLite database gives the same checksums', () => {
      const sm = openSm('global.db');
      sm.apply([...entriesOf([SCHEMA]), ...workload(300, 2)]);
      const n = sm.appliedIndex();
      sm.apply([
        sqlEntry(n + 1, 9, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'nul', 'a\u0000b'),
        sqlEntry(n + 2, 9, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'real int', 3.0),
        sqlEntry(n + 3, 9, 'INSERT INTO kv (k, v) VALUES (?, 3.0)', 'real lit'),
        sqlEntry(n + 4, 9, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'big', -(2n ** 63n)),
        sqlEntry(n + 5, 9, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'quote', "it's"),
        sqlEntry(n + 6, 9, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'inf', -Infinity),
        sqlEntry(n + 7, 9, 'INSERT INTO kv (k, v) VALUES (?, ?)', 'tiny', 5e-324),
        sqlEntry(n + 8, 9, 'DELETE FROM tags WHERE name = ?', 'tag3'), // a hole in the implicit rowids
      ]);
      const types = sm.query<{ t: string }>("SELECT typeof(v) AS t FROM kv WHERE k IN ('real int', 'real lit', 'big', 'nul') ORDER BY k");
      expect(types.map((r) => r.t)).toEqual(['integer', 'text', 'real', 'real']);
      const dump = sm.dumpSql();
      expect(dump.startsWith('PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE raft_applied')).toBe(true);
      expect(dump).toContain('INSERT INTO "kv"("id","k","v") VALUES(');
      expect(dump).toContain('DELETE FROM sqlite_sequence;');
      expect(dump.endsWith('CREATE INDEX kv_v_idx ON kv (v);\nCREATE VIEW kv_view AS SELECT k, v FROM kv;\nCOMMIT;\n')).toBe(true);

      const fresh = new Database(path.join(dir, 'fresh.db'));
      try {
        fresh.exec(dump);
        expect(tableChecksums(fresh)).toEqual(sm.tableChecksums());
        expect(fresh.prepare('SELECT count(*) AS n FROM kv_view').get()).toEqual(sm.query('SELECT count(*) AS n FROM kv_view')[0]);
        expect(fresh.pragma('foreign_key_check')).toEqual([]);
      } finally {
        fresh.close();
      }
      // The loaded copy opens as a state machine at the same applied index.
      const again = openSm('fresh.db');
      expect(again.appliedState()).toEqual(sm.appliedState());
      expect(again.schemaSql()).toBe(sm.schemaSql());
    });

    it('schemaSql() lists every object in creation order', () => {
      const sm = openSm('global.db');
      sm.apply(entriesOf([SCHEMA]));
      const schema = sm.schemaSql();
      const order = ['raft_applied', 'TABLE kv', 'TABLE child', 'TABLE tags', 'TABLE pairs', 'INDEX kv_v_idx', 'VIEW kv_view'].map((s) => schema.indexOf(s));
      expect(order.every((p) => p >= 0)).toBe(true);
      expect([...order].sort((x, y) => x - y)).toEqual(order);
      expect(schema).not.toContain('sqlite_sequence');
      expect(schema).not.toContain('INSERT');
    });
  });
});
