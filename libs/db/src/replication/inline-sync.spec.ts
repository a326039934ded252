import type { NodeId } from '@app/raft';
import { KV_SCHEMA, TestCluster, putKv } from './test-cluster';

jest.setTimeout(30_000);

describe('where a member syncs its log', () => {
  let c: TestCluster;
  afterEach(() => c?.close());

  async function started(): Promise<{ leader: NodeId; followers: NodeId[] }> {
    c = new TestCluster([1, 2, 3]);
    c.startAll();
    const leader = await c.waitForLeader();
    await c.db(leader).exec(KV_SCHEMA);
    return { leader, followers: [1, 2, 3].filter((id) => id !== leader) };
  }

  const member = (id: NodeId) => c.members.get(id)!;

  it('the leader on the thread pool, followers with nothing waiting on the event loop', async () => {
    const { leader, followers } = await started();
    const before = [1, 2, 3].map((id) => ({ id, sync: member(id).saves, async: member(id).asyncSaves }));
    for (let i = 0; i < 20; i++) await c.db(leader).exec(putKv(`k${i}`, i));
    await c.waitApplied(member(leader).sm!.appliedIndex());
    const was = (id: NodeId) => before.find((b) => b.id === id)!;
    expect(member(leader).asyncSaves - was(leader).async).toBeGreaterThanOrEqual(20);
    for (const f of followers) {
      expect(member(f).asyncSaves - was(f).async).toBe(0);
      expect(member(f).saves - was(f).sync).toBeGreaterThanOrEqual(20);
    }
    expect(await c.db(followers[0]).query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 20 }]);
  });

  it('a follower on the thread pool while a write it forwarded waits for the answer', async () => {
    const { followers } = await started();
    const [f, other] = followers;
    const before = { f: member(f).asyncSaves, other: member(other).asyncSaves };
    for (let i = 0; i < 10; i++) await c.db(f).exec(putKv(`f${i}`, i));
    // Each write's own entry reached the follower that forwarded it while it waited for the answer.
    expect(member(f).asyncSaves - before.f).toBeGreaterThanOrEqual(10);
    expect(member(other).asyncSaves - before.other).toBe(0);
    // Once nothing of its own waits, it syncs inline again.
    const settled = member(f).asyncSaves;
    const leader = [1, 2, 3].find((id) => !followers.includes(id))!;
    for (let i = 0; i < 5; i++) await c.db(leader).exec(putKv(`l${i}`, i));
    expect(member(f).asyncSaves).toBe(settled);
    expect(await c.db(other).query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 15 }]);
  });

  it('a follower counts a request in flight until it settles, whether it succeeds or fails', async () => {
    const { leader, followers } = await started();
    const driver = member(followers[0]).driver!;
    let release!: (ok: boolean) => void;
    const held = driver.whileAway(new Promise<void>((resolve, reject) => (release = (ok) => (ok ? resolve() : reject(new Error('lost'))))));
    const before = member(followers[0]).asyncSaves;
    await c.db(leader).exec(putKv('a', 1));
    await c.waitApplied(member(leader).sm!.appliedIndex(), [followers[0]]);
    expect(member(followers[0]).asyncSaves).toBeGreaterThan(before);
    release(false);
    await expect(held).rejects.toThrow('lost');
    const settled = member(followers[0]).asyncSaves;
    await c.db(leader).exec(putKv('b', 2));
    await c.waitApplied(member(leader).sm!.appliedIndex(), [followers[0]]);
    expect(member(followers[0]).asyncSaves).toBe(settled);
  });
});
