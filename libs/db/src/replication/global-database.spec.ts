import { Role } from '@app/raft';
import { EXPECTATION_FAILED } from '../global/global-state-machine';
import { LEADER } from '../global/replicated-tx';
import { DbRefusedError, DbTimeoutError, NoQuorumError, NotLeaderError, TxFailedError } from './db-errors';
import { eventually } from '../eventually';
import { TestCluster } from './test-cluster';

jest.setTimeout(30_000);

const SCHEMA = { statements: [{ sql: 'CREATE TABLE kv (k TEXT PRIMARY KEY, v, at TEXT)', params: [] }] };
const put = (k: string, v: unknown) => ({ statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: [k, v as string] }] });

describe('GlobalDatabase of a single member', () => {
  it('leads as soon as it is started (the only voter does not wait for an election timeout)', async () => {
    const solo = new TestCluster([1]);
    const three = new TestCluster([1, 2, 3]);
    try {
      const db = solo.start(1);
      expect(solo.members.get(1)!.driver!.isLeader()).toBe(true);
      await db.exec(SCHEMA);
      three.startAll();
      expect([1, 2, 3].some((id) => three.members.get(id)!.driver!.isLeader())).toBe(false);
    } finally {
      solo.close();
      three.close();
    }
  });
});

describe('GlobalDatabase on a 3-member cluster', () => {
  let c: TestCluster;

  afterEach(() => c?.close());

  async function started(opts: ConstructorParameters<typeof TestCluster>[1] = {}): Promise<number> {
    c = new TestCluster([1, 2, 3], opts);
    c.startAll();
    const leader = await c.waitForLeader();
    await c.db(leader).exec(SCHEMA);
    return leader;
  }

  it('writes through any member are visible through every member', async () => {
    const leader = await started();
    const followers = [1, 2, 3].filter((id) => id !== leader);
    const r1 = await c.db(leader).exec(put('from-leader', 1));
    const r2 = await c.db(followers[0]).exec(put('from-follower', 2));
    expect(r1).toMatchObject({ changes: 1 });
    expect(r2.index).toBeGreaterThan(r1.index);
    for (const id of [1, 2, 3]) {
      // A linearizable read sees both acknowledged writes on every member, at once.
      expect(await c.db(id).query('SELECT k, v FROM kv ORDER BY k')).toEqual([
        { k: 'from-follower', v: 2 },
        { k: 'from-leader', v: 1 },
      ]);
    }
    await c.waitApplied(r2.index);
    const sums = [1, 2, 3].map((id) => c.db(id).stateMachine.tableChecksums());
    expect(sums[1]).toEqual(sums[0]);
    expect(sums[2]).toEqual(sums[0]);
  });

  it('commits concurrent writes together: far fewer fsyncs than writes', async () => {
    const leader = await started();
    const m = c.members.get(leader)!;
    const before = m.saves;
    const n = 200;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => c.db(leader).exec(put(`k${i}`, i))));
    expect(new Set(results.map((r) => r.index)).size).toBe(n);
    expect(m.saves - before).toBeLessThan(n / 4);
    expect(await c.db(leader).query('SELECT count(*) AS n FROM kv')).toEqual([{ n }]);
  });

  it('has the leader fix time and random values, identical on every replica', async () => {
    const leader = await started();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const before = Date.now();
    const r = await c.db(follower).exec({
      statements: [{ sql: 'INSERT INTO kv (k, v, at) VALUES (?, ?, ?)', params: [LEADER.uuid, LEADER.randomHex(8), LEADER.now] }],
    });
    await c.waitApplied(r.index);
    const rows = [1, 2, 3].map((id) => c.db(id).stateMachine.query<{ k: string; v: string; at: string }>('SELECT k, v, at FROM kv'));
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
    const [{ k, v, at }] = rows[0];
    expect(k).toMatch(/^[0-9a-f-]{36}$/);
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1);
  });

  it('refuses non-deterministic SQL and writes passed as queries, clearly', async () => {
    const leader = await started();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    for (const id of [leader, follower]) {
      await expect(c.db(id).exec({ statements: [{ sql: "INSERT INTO kv (k, at) VALUES ('x', datetime('now'))", params: [] }] })).rejects.toThrow(
        DbRefusedError,
      );
      await expect(c.db(id).exec({ statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, random())', params: ['x'] }] })).rejects.toThrow(
        /random\(\).*pass the value as a parameter/,
      );
      await expect(c.db(id).query("DELETE FROM kv WHERE k = 'x'")).rejects.toThrow(DbRefusedError);
    }
  });

  it('reports deterministic failures the same way through every member and loses nothing else', async () => {
    const leader = await started();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    await c.db(leader).exec(put('a', 1));
    for (const id of [leader, follower]) {
      const err = await c.db(id).exec(put('a', 2)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TxFailedError);
      expect((err as TxFailedError).sqlCode).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    }
    // A compare-and-set: two writers from the same old value, exactly one wins.
    const cas = (to: number) => ({ statements: [{ sql: "UPDATE kv SET v = ? WHERE k = 'a' AND v = 1", params: [to], expect: 1 }] });
    const outcomes = await Promise.allSettled([c.db(leader).exec(cas(10)), c.db(follower).exec(cas(20))]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as TxFailedError).sqlCode).toBe(EXPECTATION_FAILED);
    const [{ v }] = await c.db(follower).query<{ v: number }>("SELECT v FROM kv WHERE k = 'a'");
    expect([10, 20]).toContain(v);
  });

  it('submits a write again when its answer was lost, and applies it once', async () => {
    const leader = await started();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    let lost = 0;
    c.loseAnswer = () => lost++ === 0;
    const r = await c.db(follower).exec({ statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?) RETURNING k', params: ['once', 1] }] });
    expect(lost).toBe(2);
    expect(r.statements[0]).toEqual({ changes: 1, columns: ['k'], rows: [['once']] });
    expect(await c.db(follower).query('SELECT k FROM kv')).toEqual([{ k: 'once' }]);
    // The retry took an entry of its own; the answer names the one that applied the write.
    expect(c.members.get(leader)!.sm!.appliedIndex()).toBeGreaterThan(r.index);
  });

  it('lets a write whose leader died after committing it succeed on the next leader, applied once', async () => {
    const leader = await started();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    c.loseAnswer = (_from, target) => {
      c.loseAnswer = undefined;
      c.stop(target);
      return true;
    };
    const r = await c.db(follower).exec(put('survivor', 1));
    expect(r.changes).toBe(1);
    const next = await c.waitForLeader([1, 2, 3].filter((id) => id !== leader));
    expect(next).not.toBe(leader);
    expect(await c.db(follower).query('SELECT k, v FROM kv')).toEqual([{ k: 'survivor', v: 1 }]);
  });

  it('sends a write on to the next leader when the one it was forwarded to hangs, and applies it once', async () => {
    const leader = await started();
    const [follower, other] = [1, 2, 3].filter((id) => id !== leader);
    c.holdAnswer = (_from, target) => {
      c.holdAnswer = undefined;
      // From now on the leader reaches nobody and its answer never comes, as if it hung.
      c.net.partition([target], [follower, other]);
      return true;
    };
    const r = await c.db(follower).exec(put('rerouted', 1), { timeoutMs: 8000 });
    expect(r.changes).toBe(1);
    expect(c.db(follower).status().leader?.id).not.toBe(leader);
    c.net.heal();
    await c.waitApplied(r.index);
    for (const id of [1, 2, 3]) expect(await c.db(id).query("SELECT count(*) AS n FROM kv WHERE k = 'rerouted'")).toEqual([{ n: 1 }]);
  });

  it('serves local reads without a read point, and linearizable reads after every acknowledged write', async () => {
    const leader = await started();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    for (let i = 0; i < 20; i++) {
      await c.db(leader).exec(put(`r${i}`, i));
      const [{ n }] = await c.db(follower).query<{ n: number }>("SELECT count(*) AS n FROM kv WHERE k LIKE 'r%'");
      expect(n).toBe(i + 1);
    }
    const local = await c.db(follower).queryRaw('SELECT count(*) AS n FROM kv', [], { consistency: 'local' });
    expect(local.columns).toEqual(['n']);
    expect(local.rows[0][0]).toBeLessThanOrEqual(20);
  });

  it('names the unreachable members when quorum is lost, within 5 s, and recovers when they return', async () => {
    const leader = await started({ db: { noLeaderTimeoutMs: 2000, execTimeoutMs: 4000 } });
    const others = [1, 2, 3].filter((id) => id !== leader);
    c.stop(others[0]);
    c.stop(others[1]);
    const err = await c
      .db(leader)
      .exec(put('lost', 1))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoQuorumError);
    expect((err as NoQuorumError).unreachable.map((m) => m.name).sort()).toEqual(others.map((id) => `n${id}`).sort());
    expect((err as Error).message).toMatch(new RegExp(`cannot reach .*n${others[0]}|cannot reach .*n${others[1]}`));
    // Reads also fail fast rather than hang.
    await expect(c.db(leader).query('SELECT 1 AS one')).rejects.toThrow(NoQuorumError);
    c.start(others[0]);
    c.start(others[1]);
    await c.waitForLeader();
    const r = await c.db(others[1]).exec(put('back', 1), { timeoutMs: 8000 });
    expect(r.changes).toBe(1);
  });

  it('counts out a member whose disk fails, whose requests then say why', async () => {
    const leader = await started();
    const victim = [1, 2, 3].find((id) => id !== leader)!;
    const store = c.members.get(victim)!.store!;
    const full = new Error('ENOSPC: no space left on device, write');
    store.save = () => {
      throw full;
    };
    store.saveAsync = (_rd, done) => setImmediate(() => done(full));
    // Committed on the leader's and the other voter's word; the victim fails to write it.
    expect((await c.db(leader).exec(put('while-full', 1))).changes).toBe(1);
    await eventually(() => c.db(leader).status().members.find((m) => m.id === victim)?.reachable === false, 'the victim counted out');
    await expect(c.db(victim).query('SELECT 1 AS one')).rejects.toThrow(/the cluster database stopped: ENOSPC: no space left on device/);
    await expect(c.db(victim).exec(put('refused', 1))).rejects.toThrow(/the cluster database stopped: ENOSPC/);
  });

  it("sends a forwarded write on to the next leader when the leader's database stops, and applies it once", async () => {
    const leader = await started({ db: { execTimeoutMs: 8000 } });
    const via = [1, 2, 3].find((id) => id !== leader)!;
    const store = c.members.get(leader)!.store!;
    const full = new Error('ENOSPC: no space left on device, write');
    store.save = () => {
      throw full;
    };
    store.saveAsync = (_rd, done) => setImmediate(() => done(full));
    expect((await c.db(via).exec(put('moved-on', 1))).changes).toBe(1);
    expect(await c.db(via).query("SELECT count(*) AS n FROM kv WHERE k = 'moved-on'")).toEqual([{ n: 1 }]);
    expect(c.db(via).status().leader?.id).not.toBe(leader);
  });

  it('moves on from a partitioned leader: the majority elects a new one, the old one refuses', async () => {
    const leader = await started({ db: { noLeaderTimeoutMs: 2000 } });
    const others = [1, 2, 3].filter((id) => id !== leader);
    await c.db(leader).exec(put('before', 1));
    c.net.partition([leader], others);
    const newLeader = await c.waitForLeader(others);
    await c.db(newLeader).exec(put('during', 1));
    const err = await c
      .db(leader)
      .exec(put('stale', 1))
      .catch((e: unknown) => e);
    expect(err instanceof NoQuorumError || err instanceof DbTimeoutError).toBe(true);
    c.net.heal();
    await c.waitForLeader();
    const rows = await c.db(leader).query<{ k: string }>('SELECT k FROM kv ORDER BY k');
    expect(rows.map((r) => r.k)).toContain('during');
    expect(rows.map((r) => r.k)).toContain('before');
  });

  it('catches a restarted member up by log, and by snapshot after compaction', async () => {
    const leader = await started({ driver: { snapshotEvery: 50, raft: { snapshotTrailing: 10 } } });
    const lagging = [1, 2, 3].find((id) => id !== leader)!;
    c.stop(lagging);
    for (let i = 0; i < 30; i++) await c.db(leader).exec(put(`log${i}`, i));
    // Few enough entries behind: the log still has them.
    c.start(lagging);
    let last = (await c.db(leader).exec(put('probe1', 0))).index;
    await c.waitApplied(last);
    expect(c.members.get(lagging)!.sm!.query("SELECT count(*) AS n FROM kv WHERE k LIKE 'log%'")).toEqual([{ n: 30 }]);
    const laggingApplied = c.members.get(lagging)!.sm!.appliedIndex();
    c.stop(lagging);
    await Promise.all(Array.from({ length: 300 }, (_, i) => c.db(leader).exec(put(`snap${i}`, i))));
    last = (await c.db(leader).exec(put('probe2', 0))).index;
    // The leader no longer has the entries the stopped member needs: only a snapshot can help.
    expect(c.members.get(leader)!.store!.logBase.index).toBeGreaterThan(laggingApplied);
    c.start(lagging);
    await c.waitApplied(last);
    const sums = [1, 2, 3].map((id) => c.db(id).stateMachine.tableChecksums());
    expect(sums[0]).toEqual(sums[1]);
    expect(sums[0]).toEqual(sums[2]);
    expect(c.members.get(lagging)!.sm!.query("SELECT count(*) AS n FROM kv WHERE k LIKE 'snap%'")).toEqual([{ n: 300 }]);
  });

  it('restarts after a crash that lost the latest commit index, and keeps snapshotting', async () => {
    // Snapshots every 20 entries without compaction (1000 entries kept behind them): nothing makes
    // the victim's log store write its commit index durably before the crash. Followers apply each
    // entry as it commits, so no snapshot lands on the last entry (a snapshot records its index).
    const leader = await started({ driver: { snapshotEvery: 20, applyDelayMs: 0, raft: { snapshotTrailing: 1000 } } });
    const victim = [1, 2, 3].find((id) => id !== leader)!;
    for (let i = 0; i < 50; i++) await c.db(leader).exec(put(`pre${i}`, i));
    const last = (await c.db(leader).exec(put('pre-last', 0))).index;
    await c.waitApplied(last);
    c.crash(victim);
    c.start(victim);
    // The restarted member knows less of the commit index than its replica has applied.
    const m = c.members.get(victim)!;
    expect(m.driver!.status().commit).toBeLessThan(m.sm!.appliedIndex());
    for (let i = 0; i < 50; i++) await c.db(leader).exec(put(`post${i}`, i));
    const end = (await c.db(leader).exec(put('post-last', 0))).index;
    await c.waitApplied(end);
    expect(m.driver!.failure).toBeUndefined();
    const sums = [1, 2, 3].map((id) => c.db(id).stateMachine.tableChecksums());
    expect(sums[0]).toEqual(sums[1]);
    expect(sums[0]).toEqual(sums[2]);
  });

  it('answers NotLeaderError for membership changes off the leader and changes roles on it', async () => {
    const leader = await started();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    await expect(c.db(follower).assignRole(follower, Role.Standby)).rejects.toThrow(NotLeaderError);
    await c.db(leader).assignRole(follower, Role.Standby);
    const st = c.db(leader).status();
    expect(st.members.find((m) => m.id === follower)).toMatchObject({ role: Role.Standby, reachable: true, name: `n${follower}` });
    expect(st.leader).toMatchObject({ id: leader });
    // A standby still has a replica and serves linearizable reads.
    await c.db(leader).exec(put('for-standby', 1));
    expect(await c.db(follower).query("SELECT v FROM kv WHERE k = 'for-standby'")).toEqual([{ v: 1 }]);
  });

  it('hands the leadership to a voter that is not stopping itself, and gives up at once when every one is', async () => {
    const leader = await started();
    const [a, b] = [1, 2, 3].filter((id) => id !== leader);
    c.db(a).prepareToStop();
    expect(c.db(leader).status().members.find((m) => m.id === a)).toMatchObject({ reachable: false });
    // A hand-over to a member that is stopping fails at once instead of waiting for its timeout.
    const t0 = Date.now();
    await expect(c.members.get(leader)!.driver!.transferLeadership(a, 3000)).rejects.toThrow(`member ${a} is stopping`);
    expect(Date.now() - t0).toBeLessThan(500);
    // And the member that stops picks the one that is not stopping.
    c.db(leader).prepareToStop();
    expect(await c.db(leader).handOverLeadership(3000)).toMatchObject({ id: b });
    expect(await c.waitForLeader([a, b])).toBe(b);
    // A member that is stopping takes no leadership handed to it; with every voter stopping there is nobody to hand it to.
    c.db(b).prepareToStop();
    const t1 = Date.now();
    expect(await c.db(b).handOverLeadership(3000)).toBeUndefined();
    expect(Date.now() - t1).toBeLessThan(500);
  });

  it('moves on to the next voter when the one it picked starts stopping during the hand-over', async () => {
    const leader = await started();
    const [a, b] = [1, 2, 3].filter((id) => id !== leader);
    // `a`, the first voter, is picked; it starts stopping before the hand-over message reaches it.
    const t0 = Date.now();
    const handOver = c.db(leader).handOverLeadership(3000);
    c.db(a).prepareToStop();
    expect(await handOver).toMatchObject({ id: b });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await c.waitForLeader([a, b])).toBe(b);
  });
});
