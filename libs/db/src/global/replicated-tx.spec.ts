import { NonDeterministicSqlError, UnreplicableSqlError } from './deterministic-sql';
import { decodeTx, encodeTx, fixLeaderValues, LEADER, newTxId, type ProposedTx, ReplicatedTx, ReplicatedTxDecodeError, TX_ID_BYTES, txOf } from './replicated-tx';

describe('replicated tx encoding', () => {
  const roundTrip = (tx: ReplicatedTx): ReplicatedTx => decodeTx(encodeTx(tx));

  it('round-trips every parameter type exactly', () => {
    const blob = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const tx: ReplicatedTx = {
      statements: [
        {
          sql: 'INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          params: [
            null,
            0,
            1,
            -1,
            127,
            128,
            Number.MAX_SAFE_INTEGER,
            Number.MIN_SAFE_INTEGER,
            0.1,
            -2.5e-300,
            1e300,
            (1n << 62n) + 12345n, // beyond 2^53
            -(1n << 63n),
            (1n << 63n) - 1n,
            blob,
          ],
        },
        { sql: "UPDATE t SET name = ? -- ünïcödé ✓ 𝄞 '", params: ['héllo wörld 😀 𝄞 中文 \u0000 nul', '', 2 ** 53, -0, NaN, Infinity, -Infinity] },
        { sql: 'SELECT 1', params: [] },
      ],
    };
    const back = roundTrip(tx);
    expect(back.statements).toHaveLength(3);
    expect(back.statements[0].sql).toBe(tx.statements[0].sql);
    const [p0, p1, p2] = back.statements.map((s) => s.params);
    expect(p0.slice(0, 14)).toEqual(tx.statements[0].params.slice(0, 14));
    expect(typeof p0[11]).toBe('bigint');
    expect(p0[11]).toBe((1n << 62n) + 12345n);
    expect(p0[14]).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(p0[14] as Uint8Array, blob)).toBe(0);
    expect(back.statements[1].sql).toBe(tx.statements[1].sql);
    expect(p1[0]).toBe('héllo wörld 😀 𝄞 中文 \u0000 nul');
    expect(p1[1]).toBe('');
    expect(p1[2]).toBe(2 ** 53);
    expect(Object.is(p1[3], -0)).toBe(true);
    expect(p1[4]).toBeNaN();
    expect(p1[5]).toBe(Infinity);
    expect(p1[6]).toBe(-Infinity);
    expect(p2).toEqual([]);
  });

  it('keeps integers and floats apart and exact', () => {
    for (const v of [3, 3.5, 2 ** 52 + 1, -(2 ** 53 - 1), 1e21, 5e-324]) {
      expect(roundTrip(txOf('SELECT ?', v)).statements[0].params[0]).toBe(v);
    }
  });

  it('encodes booleans as 1 and 0', () => {
    expect(roundTrip(txOf('SELECT ?, ?', true, false)).statements[0].params).toEqual([1, 0]);
  });

  it('copies blobs instead of aliasing the entry', () => {
    const data = encodeTx(txOf('SELECT ?', new Uint8Array([7, 8, 9])));
    const blob = decodeTx(data).statements[0].params[0] as Uint8Array;
    data.fill(0);
    expect(Array.from(blob)).toEqual([7, 8, 9]);
  });

  it('round-trips an empty transaction and large blobs', () => {
    expect(roundTrip({ statements: [] })).toEqual({ statements: [] });
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    const back = roundTrip(txOf('INSERT INTO b VALUES (?)', big)).statements[0].params[0] as Uint8Array;
    expect(Buffer.compare(back, big)).toBe(0);
  });

  it('decodes from a view into a larger buffer', () => {
    const data = encodeTx(txOf('SELECT ?', 'x'));
    const framed = new Uint8Array(data.length + 10);
    framed.set(data, 5);
    expect(decodeTx(framed.subarray(5, 5 + data.length))).toEqual(txOf('SELECT ?', 'x'));
  });

  it('is compact', () => {
    expect(encodeTx(txOf('INSERT INTO t(a) VALUES (?)', 42)).length).toBe(1 + 1 + 1 + 27 + 1 + 1 + 2);
  });

  it('refuses values SQLite cannot hold exactly', () => {
    expect(() => encodeTx(txOf('SELECT ?', 1n << 63n))).toThrow(/outside SQLite's 64-bit integer range/);
    expect(() => encodeTx(txOf('SELECT ?', -(1n << 63n) - 1n))).toThrow(RangeError);
    expect(() => encodeTx(txOf('SELECT ?', 'bad \uD800 surrogate'))).toThrow(/unpaired UTF-16 surrogate/);
    expect(() => encodeTx(txOf('SELECT ?', undefined as never))).toThrow(/unsupported type undefined/);
    expect(() => encodeTx(txOf('SELECT ?', {} as never))).toThrow(TypeError);
    expect(encodeTx(txOf('SELECT ?', 'paired 😀 ok')).length).toBeGreaterThan(0);
  });

  it('refuses non-deterministic SQL and transaction control unless unchecked', () => {
    expect(() => encodeTx(txOf('INSERT INTO t VALUES (random())'))).toThrow(NonDeterministicSqlError);
    expect(() => encodeTx(txOf('COMMIT'))).toThrow(UnreplicableSqlError);
    expect(decodeTx(encodeTx(txOf('COMMIT'), { unchecked: true }))).toEqual(txOf('COMMIT'));
  });

  it('rejects damaged input', () => {
    const data = encodeTx(txOf('INSERT INTO t VALUES (?, ?)', 'abc', 1n));
    expect(() => decodeTx(data.subarray(0, data.length - 1))).toThrow(ReplicatedTxDecodeError);
    expect(() => decodeTx(data.subarray(0, data.length - 1))).toThrow(/truncated/);
    expect(() => decodeTx(new Uint8Array([...data, 0]))).toThrow(/trailing bytes/);
    expect(() => decodeTx(new Uint8Array([9, 0]))).toThrow(/unknown format version 9/);
    expect(() => decodeTx(new Uint8Array([]))).toThrow(/truncated/);
    expect(() => decodeTx(new Uint8Array([1, 1, 0, 1, 42]))).toThrow(/unknown param tag 42/);
    expect(() => decodeTx(new Uint8Array([2, 1, 0, 2, 0]))).toThrow(/unknown statement flags 2/);
    expect(() => decodeTx(new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(/varint/);
  });

  it('carries guard row counts', () => {
    const tx: ReplicatedTx = { statements: [{ sql: 'UPDATE t SET a = ? WHERE a = ?', params: [2, 1], expect: 1 }, { sql: 'SELECT 1', params: [], expect: 0 }] };
    expect(roundTrip(tx)).toEqual(tx);
    expect(() => encodeTx({ statements: [{ sql: 'SELECT 1', params: [], expect: -1 }] })).toThrow(/not a row count/);
  });

  it('still decodes format version 1', () => {
    // version 1, one statement "SELECT ?" with the integer 5
    const v1 = new Uint8Array([1, 1, 8, ...Buffer.from('SELECT ?'), 1, 1, 5]);
    expect(decodeTx(v1)).toEqual(txOf('SELECT ?', 5));
  });

  it('carries a transaction id and its leader time, and reads entries without one', () => {
    const id = newTxId();
    expect(id).toHaveLength(TX_ID_BYTES);
    const tx: ReplicatedTx = { ...txOf('SELECT ?', 1), id, at: 1_767_225_600_000 };
    const back = decodeTx(encodeTx(tx));
    expect(back).toEqual({ ...tx, id: Buffer.from(id) });
    expect(decodeTx(encodeTx(txOf('SELECT ?', 1)))).not.toHaveProperty('id');
    expect(() => encodeTx({ ...txOf('SELECT 1'), id: new Uint8Array(3) })).toThrow(/16 bytes/);
    expect(() => encodeTx({ ...txOf('SELECT 1'), id, at: -1 })).toThrow(/not a time/);
    const damaged = encodeTx(tx);
    damaged[1] = 3; // the id's length
    expect(() => decodeTx(damaged)).toThrow(ReplicatedTxDecodeError);
  });

  it('keeps the id through the trip to the leader, which stamps its time', () => {
    const id = newTxId();
    const wire = encodeTx({ statements: [{ sql: 'INSERT INTO t VALUES (?)', params: [LEADER.nowMs] }], id }, { leaderValues: true });
    const onLeader = decodeTx(wire, { leaderValues: true });
    expect(onLeader.at).toBe(0);
    const fixed = fixLeaderValues(onLeader, { now: () => 1234.7, randomBytes: (n) => new Uint8Array(n) });
    expect(fixed).toEqual({ statements: [{ sql: 'INSERT INTO t VALUES (?)', params: [1234.7] }], id: Buffer.from(id), at: 1234 });
    const withoutLeaderValues = fixLeaderValues({ ...txOf('SELECT 1'), id }, { now: () => 99, randomBytes: (n) => new Uint8Array(n) });
    expect(withoutLeaderValues.at).toBe(99);
  });

  describe('leader values', () => {
    const proposed: ProposedTx = {
      statements: [
        { sql: 'INSERT INTO t (a, b, c) VALUES (?, ?, ?)', params: [LEADER.now, 'x', LEADER.nowMs] },
        { sql: 'INSERT INTO s (id, secret) VALUES (?, ?)', params: [LEADER.uuid, LEADER.randomHex(4)], expect: 1 },
        { sql: 'DELETE FROM u', params: [] },
      ],
    };

    it('travel to the leader only when allowed on both ends', () => {
      expect(() => encodeTx(proposed)).toThrow(/leader value \(now\) that the leader has not fixed/);
      const wire = encodeTx(proposed, { leaderValues: true });
      expect(() => decodeTx(wire)).toThrow(/leader value the leader never fixed/);
      expect(decodeTx(wire, { leaderValues: true })).toEqual(proposed);
    });

    it('are fixed by the leader: one clock reading per transaction, fresh random values', () => {
      let calls = 0;
      const source = {
        now: () => (calls++, Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
        randomBytes: (n: number) => new Uint8Array(n).fill(0xab),
      };
      const fixed = fixLeaderValues(proposed, source);
      expect(calls).toBe(1);
      expect(fixed.statements[0].params).toEqual(['2026-01-02T03:04:05.678Z', 'x', Date.UTC(2026, 0, 2, 3, 4, 5, 678)]);
      expect(fixed.statements[1].params).toEqual(['abababab-abab-4bab-abab-abababababab', 'abababab']);
      expect(fixed.statements[1].expect).toBe(1);
      expect(fixed.statements[2]).toBe(proposed.statements[2]);
      expect(decodeTx(encodeTx(fixed))).toEqual(fixed);
      const [a, b] = [fixLeaderValues(proposed), fixLeaderValues(proposed)].map((t) => t.statements[1].params[0]);
      expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a).not.toBe(b);
    });

    it('leaves a transaction without leader values as it is', () => {
      const tx = txOf('SELECT ?', 1);
      expect(fixLeaderValues(tx)).toBe(tx);
      expect(() => LEADER.randomHex(0)).toThrow(RangeError);
    });
  });
});
