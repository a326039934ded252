import type { NodeId } from '@app/raft';
import { eventually } from '../eventually';
import { GlobalStateMachine } from '../global/global-state-machine';
import type { RaftDriverOptions } from './raft-driver';
import { KV_SCHEMA, TestCluster, putKv } from './test-cluster';

jest.setTimeout(30_000);

describe('a member that does not lead applies committed entries in batches', () => {
  let c: TestCluster;
  afterEach(() => c?.close());

  /** A 3-member cluster, `writes` rows written through the leader; the follower knows them committed. */
  async function cluster(driver: Partial<RaftDriverOptions>, writes: number): Promise<{ leader: NodeId; follower: NodeId; last: number }> {
    c = new TestCluster([1, 2, 3], { driver });
    c.startAll();
    const leader = await c.waitForLeader();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    let last = (await c.db(leader).exec(KV_SCHEMA)).index;
    for (let i = 0; i < writes; i++) last = (await c.db(leader).exec(putKv(`k${i}`, i))).index;
    // The commit index reaches the follower with the next heartbeat.
    await eventually(() => c.members.get(follower)!.driver!.status().commit >= last, 'the follower learning the commit index', 5000, 5);
    await new Promise((r) => setImmediate(r));
    return { leader, follower, last };
  }

  /** The follower's replica as it is on disk, without applying what waits. */
  const replicaIndex = (id: NodeId): number => c.members.get(id)!.sm!.appliedIndex();

  it('waits to apply, and a local read on it applies everything it knows to be committed first', async () => {
    const { leader, follower, last } = await cluster({ applyDelayMs: 60_000, maxDeferredEntries: 1000 }, 20);
    expect(replicaIndex(leader)).toBe(last);
    expect(replicaIndex(follower)).toBeLessThan(last);
    expect(c.members.get(follower)!.driver!.status().applied).toBe(replicaIndex(follower));
    expect(await c.db(follower).query('SELECT count(*) AS n FROM kv', [], { consistency: 'local' })).toEqual([{ n: 20 }]);
    expect(replicaIndex(follower)).toBe(last);
  });

  it('applies at once for a linearizable read on it', async () => {
    const { follower, last } = await cluster({ applyDelayMs: 60_000, maxDeferredEntries: 1000 }, 5);
    expect(replicaIndex(follower)).toBeLessThan(last);
    expect(await c.db(follower).query('SELECT k FROM kv ORDER BY v DESC LIMIT 1')).toEqual([{ k: 'k4' }]);
    expect(replicaIndex(follower)).toBeGreaterThanOrEqual(last);
  });

  it('applies once maxDeferredEntries wait, and after applyDelayMs without any read', async () => {
    const { follower, last } = await cluster({ applyDelayMs: 60_000, maxDeferredEntries: 8 }, 30);
    expect(replicaIndex(follower)).toBeGreaterThan(last - 8);
    c.close();
    const { follower: f2, last: last2 } = await cluster({ applyDelayMs: 50 }, 3);
    await eventually(() => replicaIndex(f2) === last2, 'the deferred entries applied', 2000, 5);
  });

  it('applies what waits when it stops, so that its replica holds every entry it knew to be committed', async () => {
    const { follower, last } = await cluster({ applyDelayMs: 60_000, maxDeferredEntries: 1000 }, 10);
    const m = c.members.get(follower)!;
    expect(replicaIndex(follower)).toBeLessThan(last);
    const file = m.sm!.file;
    c.stop(follower);
    const reopened = GlobalStateMachine.open(file);
    try {
      expect(reopened.appliedIndex()).toBe(last);
      expect(reopened.query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 10 }]);
    } finally {
      reopened.close();
    }
  });
});
