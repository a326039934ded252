/**
 * The replicated global database across real processes: 3 and 5 built `cubed` daemons on loopback,
 * each with its own state directory, talking gRPC with mutual TLS. Needs `npm run build` first.
 */
import { sleep, StaticCluster } from './support/static-cluster';

jest.setTimeout(120_000);

const insert = (key: string): string => `INSERT INTO config (key, value) VALUES ('${key}', 'v')`;

async function keysOn(c: StaticCluster, i: number, prefix: string): Promise<Set<string>> {
  const [res] = await c.sql(i, `SELECT key FROM config WHERE key LIKE '${prefix}%'`);
  return new Set((res.rows ?? []).map((r) => String(r[0])));
}

describe('global database across 3 member processes', () => {
  let c: StaticCluster;

  beforeEach(async () => {
    c = await StaticCluster.create(3, { CUBED_RAFT_SNAPSHOT_EVERY: '200', CUBED_RAFT_SNAPSHOT_TRAILING: '20' });
    await c.startAll();
  });

  afterEach(async () => {
    await c?.destroy();
  });

  it('makes writes through any member visible through every member, with identical replicas', async () => {
    for (let i = 0; i < 3; i++) {
      const [res] = await c.sql(i, insert(`via-m${i + 1}`));
      expect(res).toEqual({ type: 'exec', columns: null, rows: null, rows_affected: 1 });
    }
    for (let i = 0; i < 3; i++) {
      expect([...(await keysOn(c, i, 'via-'))].sort()).toEqual(['via-m1', 'via-m2', 'via-m3']);
    }
    // Refused clearly, and refused before anything is replicated.
    const bad = await c.request(1, 'POST', '/internal/sql', { database: 'global', query: "INSERT INTO config (key, value) VALUES ('t', datetime('now'))" });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ type: 'error', error_code: 400, error: expect.stringMatching(/non-deterministic SQL.*datetime\('now'\)/) });
    const dup = await c.request(2, 'POST', '/internal/sql', { database: 'global', query: insert('via-m1') });
    expect(dup.status).toBe(400);
    expect(dup.json.error).toMatch(/UNIQUE constraint failed: config.key/);
    const sums = await c.convergedChecksums();
    expect(sums).toMatch(/^config [0-9a-f]{64}$/m);
  });

  it('a follower that serves reads (from its read lease) sees every write acknowledged before the read', async () => {
    const leader = await c.leader();
    const [reader, other] = [0, 1, 2].filter((i) => i !== leader);
    const missed: string[] = [];
    for (let n = 0; n < 150; n++) {
      // Writes through the leader and through the other follower, each read back through the reader at once.
      const key = `seen-${n}`;
      const [res] = await c.sql(n % 2 === 0 ? leader : other, insert(key));
      expect(res.rows_affected).toBe(1);
      if (!(await keysOn(c, reader, key)).has(key)) missed.push(key);
      // Reads in between keep the reader's lease going.
      await keysOn(c, reader, 'none-');
    }
    expect(missed).toEqual([]);
  });

  it('loses no acknowledged write when the leader is killed under write load', async () => {
    const leader = await c.leader();
    const acknowledged = new Set<string>();
    let stop = false;
    let killedAt = 0;
    let ackAfterKill = 0;
    const writer = async (member: number, w: number): Promise<void> => {
      for (let seq = 0; !stop; seq++) {
        const key = `load-${member}-${w}-${seq}`;
        try {
          const r = await c.request(member, 'POST', '/internal/sql', { database: 'global', query: insert(key) }, 10_000);
          if (r.status === 200) {
            acknowledged.add(key);
            if (killedAt) ackAfterKill++;
          } else {
            await sleep(20); // 503/504 while a new leader is elected
          }
        } catch {
          if (member === leader) return; // its process is gone
          await sleep(20);
        }
      }
    };
    const writers = [0, 1, 2].flatMap((m) => [0, 1, 2, 3].map((w) => writer(m, w)));
    while (acknowledged.size < 200) await sleep(10);
    killedAt = Date.now();
    await c.kill(leader);
    while (ackAfterKill < 200) await sleep(20);
    stop = true;
    await Promise.all(writers);

    const survivor = [0, 1, 2].find((i) => i !== leader)!;
    const stored = await keysOn(c, survivor, 'load-');
    const missing = [...acknowledged].filter((k) => !stored.has(k));
    expect(missing).toEqual([]);
    // The killed member comes back and catches up to identical contents.
    await c.start(leader);
    const afterRestart = await keysOn(c, leader, 'load-');
    expect([...acknowledged].filter((k) => !afterRestart.has(k))).toEqual([]);
    await c.convergedChecksums();
  });

  it('catches a restarted member up by log, and by snapshot once the log was compacted', async () => {
    const leader = await c.leader();
    const lagging = (leader + 1) % 3;
    const other = (leader + 2) % 3;

    // By log: a few entries behind.
    await c.kill(lagging);
    for (let i = 0; i < 10; i++) await c.sql(other, insert(`bylog-${i}`));
    await c.start(lagging);
    expect((await keysOn(c, lagging, 'bylog-')).size).toBe(10);

    // By snapshot: far more entries than the leader keeps behind its snapshots.
    const laggingApplied = (await c.status(lagging)).applied;
    await c.kill(lagging);
    const before = await c.status(leader);
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => c.sql(other, insert(`bysnap-${batch}-${i}`))));
    }
    const after = await c.status(leader);
    expect(after.applied - before.applied).toBeGreaterThanOrEqual(500);
    // The leader's log no longer holds what the stopped member lacks: only a snapshot can catch it up.
    expect(after.firstIndex).toBeGreaterThan(laggingApplied + 1);
    await c.start(lagging);
    expect((await keysOn(c, lagging, 'bysnap-')).size).toBe(500);
    expect(c.member(lagging).process.log).not.toMatch(/ERROR/);
    await c.convergedChecksums();
  });
});

describe('global database across 5 member processes', () => {
  let c: StaticCluster;

  beforeAll(async () => {
    c = await StaticCluster.create(5);
    await c.startAll();
  });

  afterAll(async () => {
    await c?.destroy();
  });

  /** The members' indexes by role once the leader has settled them to 3 voters (cluster.max_voters). */
  async function settledRoles(leader: number): Promise<{ voters: number[]; standbys: number[] }> {
    for (let tries = 0; tries < 100; tries++) {
      const st = await c.status(leader);
      const indexes = (role: string) => st.members.filter((m) => m.role === role).map((m) => c.members.findIndex((x) => x.id === m.id));
      const voters = indexes('voter');
      if (voters.length === 3) return { voters, standbys: indexes('standby') };
      await sleep(100);
    }
    throw new Error('the leader did not settle the roles to 3 voters');
  }

  it('keeps working with two of five members down, and they catch up when they return', async () => {
    for (let i = 0; i < 5; i++) await c.sql(i, insert(`five-${i}`));
    const leader = await c.leader();
    // While the leader trims 5 founding voters to 3, losing two voters can cost the quorum: wait
    // for the settled roles, then stop a voter and a standby (the quorum of 3 voters survives).
    const roles = await settledRoles(leader);
    expect(roles.standbys).toHaveLength(2);
    const down = [roles.voters.find((i) => i !== leader)!, roles.standbys[0]];
    for (const i of down) await c.kill(i);
    const up = [0, 1, 2, 3, 4].filter((i) => !down.includes(i));
    for (const i of up) await c.sql(i, insert(`degraded-${i}`));
    for (const i of down) await c.start(i);
    for (let i = 0; i < 5; i++) {
      expect((await keysOn(c, i, 'five-')).size).toBe(5);
      expect((await keysOn(c, i, 'degraded-')).size).toBe(3);
    }
    await c.convergedChecksums();
  });

  it('names the unreachable members when a majority of voters is gone, instead of hanging', async () => {
    const leader = await c.leader();
    // The leader keeps 3 of the 5 members voting (cluster.max_voters); the others follow as standbys.
    const { voters } = await settledRoles(leader);
    const gone = voters.filter((i) => i !== leader);
    for (const i of gone) await c.kill(i);
    const r = await c.request(leader, 'POST', '/internal/sql', { database: 'global', query: insert('no-quorum') });
    expect(r.status).toBe(503);
    expect(r.json.error).toMatch(/no quorum/);
    for (const i of gone) expect(r.json.error).toContain(c.member(i).name);
    for (const i of gone) await c.start(i);
  });
});
