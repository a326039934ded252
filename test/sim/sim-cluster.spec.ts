/**
 * Tests of the simulator itself (determinism, hand-driven and automatic clusters), plus one
 * hand-written scenario showing how to drive the cluster message by message.
 */
import { DEFAULT_RAFT_CONFIG, type Message, type NodeId, StateRole } from '../../libs/raft/src';
import { runSeed } from './run-seed';
import { type RaftTuning, SimCluster } from './sim-cluster';

const TUNING: RaftTuning = {
  ...DEFAULT_RAFT_CONFIG,
  electionTicks: 10,
  heartbeatTicks: 1,
  maxEntriesPerMsg: 8,
  maxInflightMsgs: 4,
  snapshotChunkBytes: 128,
  snapshotTrailing: 5,
  promotionLag: 10,
};

function leaders(c: SimCluster): NodeId[] {
  return c.upIds().filter((id) => c.status(id)!.role === StateRole.Leader);
}

/** Ticks `id` (only) until it leads, delivering messages that pass `filter` and dropping the rest. */
function elect(c: SimCluster, id: NodeId, filter: (m: Message) => boolean): void {
  for (let i = 0; i < 200 && c.status(id)!.role !== StateRole.Leader; i++) {
    c.tick(id);
    c.deliverAll(filter);
    c.dropAll();
  }
  expect(c.status(id)!.role).toBe(StateRole.Leader);
}

const among =
  (ids: NodeId[]) =>
  (m: Message): boolean =>
    ids.includes(m.from) && ids.includes(m.to);

/** Messages among `ids` that carry no entry of term `term`. */
const amongWithout =
  (ids: NodeId[], term: number) =>
  (m: Message): boolean =>
    among(ids)(m) && !(m.entries ?? []).some((e) => e.term === term);

describe('simulator', () => {
  it('replays a seed exactly: same seed, same trace', () => {
    const a = runSeed({ seed: 42, steps: 1500, hashTrace: true, keep: 0 });
    const b = runSeed({ seed: 42, steps: 1500, hashTrace: true, keep: 0 });
    expect(a.ok).toBe(true);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.stats).toEqual(a.stats);
    const other = runSeed({ seed: 43, steps: 1500, hashTrace: true, keep: 0 });
    expect(other.traceHash).not.toBe(a.traceHash);
  });

  it('a hand-driven 3-node cluster elects exactly one leader and commits proposals', () => {
    const c = new SimCluster({ seed: 1, raft: TUNING, autoTick: false });
    c.bootstrap([1, 2, 3]);
    elect(c, 1, () => true);
    expect(leaders(c)).toEqual([1]);
    for (const id of [2, 3]) expect(c.status(id)!.leaderId).toBe(1);

    for (let i = 0; i < 5; i++) {
      const r = c.proposeWrite(1, 'k');
      expect(r.proposal).toHaveProperty('index');
    }
    c.deliverAll();
    c.tick(1); // heartbeat: followers learn the commit index
    c.deliverAll();
    const applied = c.node(1).app.applied;
    expect(applied).toBeGreaterThanOrEqual(7); // bootstrap, no-op, 5 writes
    for (const id of [1, 2, 3]) {
      expect(c.node(id).app.applied).toBe(applied);
      expect(c.node(id).app.value('k')).toBe(c.node(1).app.value('k'));
    }
    expect(c.checker.stats.writesCompleted).toBe(5);
  });

  it('an automatic 3-node cluster elects one leader that every node follows, and commits', () => {
    const c = new SimCluster({ seed: 7, raft: TUNING, tickJitter: 3 });
    c.bootstrap([1, 2, 3]);
    c.runFor(5_000);
    const ls = leaders(c);
    expect(ls).toHaveLength(1);
    for (const id of [1, 2, 3]) expect(c.status(id)!.leaderId).toBe(ls[0]);
    for (let i = 0; i < 10; i++) c.proposeWrite(ls[0]!, `k${i % 3}`);
    c.runFor(1_000);
    const lead = c.node(ls[0]!).app;
    for (const id of [1, 2, 3]) {
      expect(c.node(id).app.applied).toBe(lead.applied);
      expect(c.node(id).app.hash).toBe(lead.hash);
    }
    expect(c.checker.stats.writesCompleted).toBe(10);
  });

  it('an isolated leader is replaced, and rejoins as a follower once healed', () => {
    const c = new SimCluster({ seed: 3, raft: TUNING });
    c.bootstrap([1, 2, 3]);
    c.runFor(5_000);
    const old = c.leader();
    expect(old).not.toBe(0);
    c.isolate(old);
    c.proposeWrite(old, 'lost'); // accepted by a leader about to be deposed: never committed
    expect(c.runUntil(() => leaders(c).some((id) => id !== old), 10_000)).toBe(true);
    const fresh = leaders(c).find((id) => id !== old)!;
    c.proposeWrite(fresh, 'kept');
    c.heal();
    c.runFor(5_000);
    expect(leaders(c)).toEqual([fresh]);
    for (const id of [1, 2, 3]) {
      expect(c.node(id).app.value('kept')).toBeDefined();
      expect(c.node(id).app.value('lost')).toBeUndefined();
    }
  });

  it('Figure 8 of the Raft paper: a leader never commits an old-term entry by counting replicas', () => {
    // preVote/checkQuorum off and one entry per append, so that every step can be staged by hand.
    const c = new SimCluster({
      seed: 8,
      raft: { ...TUNING, preVote: false, checkQuorum: false, maxEntriesPerMsg: 1 },
      autoTick: false,
    });
    c.bootstrap([1, 2, 3, 4, 5]);
    // (a) n1 leads term 2 and appends 3/2, which reaches nobody.
    elect(c, 1, () => true);
    c.tick(1);
    c.deliverAll();
    expect(c.status(1)!.term).toBe(2);
    expect(c.proposeWrite(1, 'x').proposal).toEqual({ index: 3, term: 2 });
    c.dropAll();
    c.crash(1);
    // (b) n5 leads term 3 with votes from n3 and n4, appends 3/3, which reaches nobody.
    elect(c, 5, amongWithout([3, 4, 5], 3));
    expect(c.status(5)!.term).toBe(3);
    c.dropAll();
    c.crash(5);
    // (c) n1 comes back and leads term 4; it replicates 3/2 to n2..n4 (a majority holds it) but
    // its own 4/4 reaches nobody (appends carrying it only reach followers that will refuse them
    // for lack of entry 3): 3/2 must not count as committed.
    c.restart(1);
    const noTerm4 = (m: Message): boolean => amongWithout([1, 2, 3, 4], 4)(m) || (among([1, 2, 3, 4])(m) && c.node(m.to).disk.lastIndex() < 3);
    elect(c, 1, noTerm4);
    expect(c.status(1)!.term).toBe(4);
    c.deliverAll(noTerm4);
    c.dropAll();
    const prog = c.status(1)!.progress!;
    expect([prog[2]!.match, prog[3]!.match, prog[4]!.match]).toEqual([3, 3, 3]);
    expect(c.status(1)!.commit).toBe(2);
    c.crash(1);
    // (d) n5 comes back, leads term 5 with n2..n4 and overwrites index 3 with 3/3.
    c.restart(5);
    elect(c, 5, among([2, 3, 4, 5]));
    for (let i = 0; i < 3; i++) {
      c.tick(5);
      c.deliverAll(among([2, 3, 4, 5]));
    }
    c.restart(1);
    for (let i = 0; i < 3; i++) {
      c.tick(5);
      c.deliverAll();
    }
    expect(c.checker.canonicalTerm(3)).toBe(3);
    const lead = c.node(5).app;
    for (const id of [1, 2, 3, 4, 5]) {
      expect(c.node(id).app.applied).toBe(lead.applied);
      expect(c.node(id).app.hash).toBe(lead.hash);
    }
  });
});
