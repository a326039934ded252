import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeOutcome, encodeOutcome, EXPIRE_EVERY, MAX_RECORDED_BYTES, RETENTION_MS } from './applied-tx-results';
import { GlobalStateMachine } from './global-state-machine';
import { newTxId, type ReplicatedTx } from './replicated-tx';
import { tableChecksums } from './sqlite-inspect';
import { sqlEntry, tempDir, txEntry } from './test-util';

const SCHEMA: ReplicatedTx = { statements: [{ sql: 'CREATE TABLE kv (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE, v)', params: [] }] };

/** What the tests opened, closed and removed after each test. */
const opened: { sm: GlobalStateMachine; dir: string }[] = [];

afterEach(() => {
  for (const { sm, dir } of opened.splice(0)) {
    sm.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function openEmpty(name: string): GlobalStateMachine {
  const dir = tempDir('cubed-txres-');
  const sm = GlobalStateMachine.open(path.join(dir, name));
  opened.push({ sm, dir });
  return sm;
}

function open(name = 'global.db'): GlobalStateMachine {
  const sm = openEmpty(name);
  sm.apply([txEntry(1, 1, SCHEMA)]);
  return sm;
}

const insert = (k: string, id: Uint8Array, at = 1_000_000): ReplicatedTx => ({
  statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?) RETURNING id, k', params: [k, 'v'] }],
  id,
  at,
});

describe('transactions applied once by id', () => {
  it('answers a retried transaction with the first outcome and does not apply it again', () => {
    const sm = open();
    const id = newTxId();
    const [first] = sm.apply([txEntry(2, 1, insert('a', id))]);
    sm.apply([txEntry(3, 1, insert('b', newTxId()))]);
    const [again] = sm.apply([txEntry(4, 2, insert('a', id, 1_000_500))]);
    expect(first).toMatchObject({ index: 2, ok: true, changes: 1, lastInsertRowid: 1, rows: [{ id: 1, k: 'a' }] });
    expect(first).not.toHaveProperty('duplicateOf');
    expect(again).toMatchObject({ index: 4, ok: true, duplicateOf: 2, changes: 1, lastInsertRowid: 1, rows: [{ id: 1, k: 'a' }] });
    if (!again.ok || !first.ok) throw new Error('unexpected failure');
    expect(again.statements).toEqual(first.statements);
    expect(sm.query('SELECT k FROM kv ORDER BY id')).toEqual([{ k: 'a' }, { k: 'b' }]);
    expect(sm.appliedIndex()).toBe(4);
  });

  it('records a deterministic failure and answers its retry with the same failure, even when it would succeed now', () => {
    const sm = open();
    sm.apply([txEntry(2, 1, insert('a', newTxId()))]);
    const id = newTxId();
    const [failed] = sm.apply([txEntry(3, 1, insert('a', id))]);
    sm.apply([txEntry(4, 1, { statements: [{ sql: 'DELETE FROM kv', params: [] }] })]);
    const [again] = sm.apply([txEntry(5, 1, insert('a', id))]);
    expect(failed).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_UNIQUE', statement: 0 } });
    expect(again).toMatchObject({ index: 5, ok: false, duplicateOf: 3, error: { code: 'SQLITE_CONSTRAINT_UNIQUE', statement: 0 } });
    expect(sm.query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 0 }]);
  });

  it('applies the same way on every replica, and the records travel in snapshots', () => {
    const a = open('a.db');
    const b = open('b.db');
    const id = newTxId();
    const entries = [txEntry(2, 1, insert('a', id)), txEntry(3, 1, insert('a', id)), txEntry(4, 1, insert('c', newTxId()))];
    expect(a.apply(entries)).toEqual(b.apply(entries));
    expect(a.tableChecksums()).toEqual(b.tableChecksums());
    const c = openEmpty('c.db');
    c.restore(a.snapshot(), a.appliedState());
    const [again] = c.apply([txEntry(5, 2, insert('a', id))]);
    expect(again).toMatchObject({ ok: true, duplicateOf: 2 });
    expect(c.query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 2 }]);
    expect(tableChecksums(c.connection).raft_tx_results).toBeDefined();
  });

  it('forgets ids once the leader time has moved past their retention, at the next expiring entry', () => {
    const sm = open();
    const id = newTxId();
    sm.apply([txEntry(2, 1, insert('a', id, 1_000_000))]);
    const later = 1_000_000 + RETENTION_MS + 1;
    const deleteAll = (index: number) => txEntry(index, 1, { statements: [{ sql: 'DELETE FROM kv', params: [] }], id: newTxId(), at: later });
    // Past the retention but before an expiring entry, the id is still known: a retry is answered.
    sm.apply([deleteAll(3)]);
    const fillers = Array.from({ length: EXPIRE_EVERY - 4 }, (_, i) => sqlEntry(4 + i, 1, 'SELECT 1'));
    sm.apply(fillers);
    expect(sm.query('SELECT count(*) AS n FROM raft_tx_results')).toEqual([{ n: 2 }]);
    sm.apply([deleteAll(EXPIRE_EVERY)]);
    const [again] = sm.apply([txEntry(EXPIRE_EVERY + 1, 1, insert('a', id, later + 1))]);
    expect(again).toMatchObject({ ok: true });
    expect(again).not.toHaveProperty('duplicateOf');
    // The expired one is gone; the two deletes and the new insert are kept.
    expect(sm.query('SELECT count(*) AS n FROM raft_tx_results')).toEqual([{ n: 3 }]);
  });

  it('leaves transactions without an id alone', () => {
    const sm = open();
    const tx: ReplicatedTx = { statements: [{ sql: 'INSERT INTO kv (k) VALUES (?)', params: ['x'] }] };
    sm.apply([txEntry(2, 1, tx)]);
    const [second] = sm.apply([txEntry(3, 1, tx)]);
    expect(second).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_UNIQUE' } });
    expect(sm.query('SELECT count(*) AS n FROM raft_tx_results')).toEqual([{ n: 0 }]);
  });
});

describe('recorded outcomes', () => {
  it('round-trip every value type and the failure details', () => {
    const applied = {
      ok: true as const,
      changes: 3,
      lastInsertRowid: 9007199254740993n,
      rowsKept: true,
      statements: [{ changes: 1 }, { changes: 2, columns: ['a', 'b'], rows: [[1, 'x'], [null, new Uint8Array([1, 2])], [2.5, -7n]] }],
    };
    expect(decodeOutcome(encodeOutcome(applied))).toEqual({ ...applied, statements: [applied.statements[0], { ...applied.statements[1], rows: [[1, 'x'], [null, Buffer.from([1, 2])], [2.5, -7n]] }] });
    const failed = { ok: false as const, error: { code: 'EXPECTATION_FAILED', message: 'no', statement: 0 } };
    expect(decodeOutcome(encodeOutcome(failed))).toEqual(failed);
    const noStatement = { ok: false as const, error: { code: 'ReplicatedTxDecodeError', message: 'bad' } };
    expect(decodeOutcome(encodeOutcome(noStatement))).toEqual(noStatement);
  });

  it('drop the returned rows of an outcome too large to keep', () => {
    const big = 'x'.repeat(MAX_RECORDED_BYTES);
    const back = decodeOutcome(encodeOutcome({ ok: true, changes: 1, lastInsertRowid: 1, rowsKept: true, statements: [{ changes: 1, columns: ['v'], rows: [[big]] }] }));
    expect(back).toEqual({ ok: true, changes: 1, lastInsertRowid: 1, rowsKept: false, statements: [{ changes: 1 }] });
  });
});
