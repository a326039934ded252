import { RaftNode } from './raft-node';
import { DEFAULT_RAFT_CONFIG, Entry, EntryType, Message, MessageType, NodeId, PersistedState, Role, StateRole } from './types';

/** A tiny hand-driven cluster: messages wait in `inbox` until delivered. */
class Harness {
  nodes = new Map<NodeId, RaftNode>();
  disks = new Map<NodeId, PersistedState>();
  applied = new Map<NodeId, Entry[]>();
  inbox: Message[] = [];
  reads: { node: NodeId; context: string; index: number }[] = [];
  blocked = new Set<string>();
  /** Messages matching this are dropped on delivery. */
  dropIf: (m: Message) => boolean = () => false;
  private seed = 7;

  constructor(
    ids: NodeId[],
    private readonly opts: Partial<typeof DEFAULT_RAFT_CONFIG> = {},
  ) {
    const membership = ids.map((id) => ({ id, role: Role.Voter }));
    for (const id of ids) this.start(id, RaftNode.bootstrapState(membership));
  }

  start(id: NodeId, state: PersistedState, opts: Partial<typeof DEFAULT_RAFT_CONFIG> = this.opts): RaftNode {
    const random = (): number => {
      this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
      return this.seed / 2147483648;
    };
    const n = new RaftNode({ ...DEFAULT_RAFT_CONFIG, ...opts, id, random }, state);
    this.nodes.set(id, n);
    this.disks.set(id, structuredClone(state));
    if (!this.applied.has(id)) this.applied.set(id, []);
    return n;
  }

  node(id: NodeId): RaftNode {
    return this.nodes.get(id)!;
  }

  /** Persist, queue messages, apply — for every node with output. */
  flush(): void {
    for (const [id, n] of this.nodes) {
      while (n.hasReady()) {
        const rd = n.ready();
        const disk = this.disks.get(id)!;
        if (rd.snapshot) {
          disk.snapshot = rd.snapshot;
          disk.entries = [];
          disk.logBase = { index: rd.snapshot.meta.index, term: rd.snapshot.meta.term };
        }
        if (rd.entries.length) {
          const from = rd.entries[0].index;
          disk.entries = disk.entries.filter((e) => e.index < from).concat(rd.entries);
        }
        if (rd.hardState) disk.hardState = rd.hardState;
        this.inbox.push(...rd.messages);
        this.reads.push(...rd.readStates.map((r) => ({ node: id, ...r })));
        this.applied.get(id)!.push(...rd.committedEntries.filter((e) => e.type === EntryType.Normal && e.data.length));
      }
    }
  }

  /** Delivers queued messages (repeatedly) until none are left. */
  deliverAll(max = 10_000): void {
    this.flush();
    for (let i = 0; i < max && this.inbox.length; i++) {
      const m = this.inbox.shift()!;
      if (this.blocked.has(`${m.from}>${m.to}`) || !this.nodes.has(m.to) || this.dropIf(m)) continue;
      this.node(m.to).step(m);
      this.flush();
    }
  }

  tickAll(times = 1): void {
    for (let t = 0; t < times; t++) {
      for (const n of this.nodes.values()) n.tick();
      this.deliverAll();
    }
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.blocked.add(`${id}>${other}`);
      this.blocked.add(`${other}>${id}`);
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  leader(): RaftNode | undefined {
    const leaders = [...this.nodes.values()].filter((n) => n.status().role === StateRole.Leader);
    const maxTerm = Math.max(...leaders.map((n) => n.status().term));
    return leaders.find((n) => n.status().term === maxTerm);
  }

  electLeader(): RaftNode {
    for (let i = 0; i < 200 && !this.leader(); i++) this.tickAll();
    return this.leader()!;
  }

  /** Forces `id` to campaign now, as a leadership transfer does (bypassing leader leases). */
  campaign(id: NodeId): void {
    const n = this.node(id);
    n.step({ type: MessageType.TimeoutNow, from: 0, to: id, term: n.status().term });
    this.deliverAll();
  }
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const payloads = (es: Entry[]): string[] => es.map((e) => new TextDecoder().decode(e.data));

describe('RaftNode', () => {
  it('elects one leader and replicates proposals to every voter', () => {
    const h = new Harness([1, 2, 3]);
    const leader = h.electLeader();
    expect(leader).toBeDefined();
    const leaders = [...h.nodes.values()].filter((n) => n.status().role === StateRole.Leader);
    expect(leaders).toHaveLength(1);
    leader.propose(text('a'));
    leader.propose(text('b'));
    h.deliverAll();
    h.tickAll(2);
    for (const id of [1, 2, 3]) expect(payloads(h.applied.get(id)!)).toEqual(['a', 'b']);
  });

  it('the only voter campaigns at its first tick; several voters wait for an election timeout', () => {
    const solo = new Harness([1]);
    solo.tickAll();
    expect(solo.node(1).status().role).toBe(StateRole.Leader);

    // A voter with standbys is alone among the voters too.
    const withStandby = new Harness([]);
    withStandby.start(1, RaftNode.bootstrapState([{ id: 1, role: Role.Voter }, { id: 2, role: Role.Standby }]));
    withStandby.tickAll();
    expect(withStandby.node(1).status().role).toBe(StateRole.Leader);

    const three = new Harness([1, 2, 3]);
    three.tickAll(DEFAULT_RAFT_CONFIG.electionTicks - 1);
    expect(three.leader()).toBeUndefined();
    expect(three.electLeader()).toBeDefined();
  });

  it('refuses or forwards proposals on a follower', () => {
    const h = new Harness([1, 2, 3], { forwardProposals: false });
    const leader = h.electLeader();
    const follower = [...h.nodes.values()].find((n) => n !== leader)!;
    expect(() => follower.propose(text('x'))).toThrow(`not leader, leader is ${leader.id}`);

    const h2 = new Harness([1, 2, 3]);
    const l2 = h2.electLeader();
    const f2 = [...h2.nodes.values()].find((n) => n !== l2)!;
    expect(f2.propose(text('y'))).toEqual({ forwardedTo: l2.id });
    h2.deliverAll();
    h2.tickAll(2);
    expect(payloads(h2.applied.get(l2.id)!)).toEqual(['y']);
  });

  it('does not commit an entry of an earlier term by counting replicas (Figure 8)', () => {
    const h = new Harness([1, 2, 3, 4, 5], { maxEntriesPerMsg: 1 });
    h.campaign(1);
    expect(h.node(1).status().role).toBe(StateRole.Leader);
    // S1 (term t) replicates an entry only to S2.
    for (const id of [3, 4, 5]) h.isolate(id);
    h.blocked.add('1>3');
    h.node(1).propose(text('old'));
    h.deliverAll();
    const oldIndex = h.node(1).status().lastIndex;
    const oldTerm = h.node(1).status().term;
    expect(h.node(2).status().lastIndex).toBe(oldIndex);
    // S1 crashes; S5 becomes leader with S3 and S4 and writes its own entry at that index.
    h.nodes.delete(1);
    h.heal();
    h.isolate(2);
    h.dropIf = (m) => m.from === 5 && m.type === MessageType.Append;
    h.campaign(5);
    expect(h.node(5).status().role).toBe(StateRole.Leader);
    h.isolate(5);
    h.dropIf = () => false;
    h.node(5).propose(text('other'));
    h.flush();
    h.inbox = [];
    h.nodes.delete(5);
    // S1 returns and leads term 4 with S2 and S3. It spreads the term-2 entry to S3, so a majority
    // holds it, but its own no-op does not get through yet: the term-2 entry must stay uncommitted.
    h.heal();
    h.isolate(4);
    h.start(1, h.disks.get(1)!, { maxEntriesPerMsg: 1 });
    h.dropIf = (m) => {
      if (m.type === MessageType.Append) m.entries = (m.entries ?? []).filter((e) => e.index <= oldIndex);
      return false;
    };
    for (let i = 0; i < 100 && !h.leader(); i++) h.tickAll();
    const leader = h.leader()!;
    expect([1, 2]).toContain(leader.id); // only they hold the term-2 entry, so only they can win
    expect(leader.status().term).toBeGreaterThanOrEqual(4);
    h.tickAll(3);
    expect(h.node(3).debugLog().entries.find((e) => e.index === oldIndex)?.term).toBe(oldTerm);
    expect(leader.status().commit).toBeLessThan(oldIndex);
    // Once the new leader's no-op reaches a majority, both commit together.
    h.dropIf = () => false;
    h.tickAll(3);
    expect(leader.status().commit).toBe(oldIndex + 1);
    expect(payloads(h.applied.get(leader.id)!)).toEqual(['old']);
  });

  it('a partitioned leader steps down and rejoins without disturbing the new leader', () => {
    const h = new Harness([1, 2, 3]);
    const old = h.electLeader();
    h.isolate(old.id);
    for (let i = 0; i < 60; i++) h.tickAll();
    expect(old.status().role).not.toBe(StateRole.Leader); // check-quorum
    const others = [...h.nodes.values()].filter((n) => n !== old);
    const fresh = others.find((n) => n.status().role === StateRole.Leader)!;
    expect(fresh).toBeDefined();
    const term = fresh.status().term;
    h.heal();
    for (let i = 0; i < 60; i++) h.tickAll();
    expect(fresh.status().role).toBe(StateRole.Leader);
    expect(fresh.status().term).toBe(term);
    expect(old.status().leaderId).toBe(fresh.id);
  });

  it('a removed member cannot disrupt the cluster with votes', () => {
    const h = new Harness([1, 2, 3]);
    const leader = h.electLeader();
    const victim = [...h.nodes.values()].find((n) => n !== leader)!;
    h.isolate(victim.id);
    h.tickAll(1);
    leader.proposeConfChange({ kind: 'remove', id: victim.id });
    h.deliverAll();
    h.tickAll(3);
    expect(leader.status().membership.map((m) => m.id)).not.toContain(victim.id);
    const term = leader.status().term;
    h.heal();
    for (let i = 0; i < 100; i++) h.tickAll();
    expect(leader.status().role).toBe(StateRole.Leader);
    expect(leader.status().term).toBe(term);
  });

  it('installs a snapshot over conflicting entries', () => {
    const h = new Harness([1, 2, 3], { snapshotTrailing: 0, snapshotChunkBytes: 8 });
    h.campaign(1);
    h.tickAll(1);
    // Node 1, cut off, appends an entry nobody else sees.
    h.isolate(1);
    h.node(1).propose(text('lost'));
    h.deliverAll();
    const conflictIndex = h.node(1).status().lastIndex;
    // Nodes 2 and 3 move on under a new leader, which snapshots and compacts its log.
    h.campaign(2);
    const leader = h.node(2);
    expect(leader.status().role).toBe(StateRole.Leader);
    for (let i = 0; i < 5; i++) leader.propose(text(`v${i}`));
    h.deliverAll();
    h.tickAll(2);
    leader.compact(leader.status().applied, text('snapshot-state-of-node-2'));
    h.flush();
    expect(leader.status().firstIndex).toBeGreaterThan(conflictIndex);
    h.heal();
    for (let i = 0; i < 30; i++) h.tickAll();
    const n1 = h.node(1);
    expect(n1.status().role).toBe(StateRole.Follower);
    expect(n1.snapshotMeta()?.index).toBe(leader.snapshotMeta()!.index);
    expect(h.disks.get(1)!.snapshot!.data).toEqual(text('snapshot-state-of-node-2'));
    expect(n1.status().commit).toBe(leader.status().commit);
    expect(payloads(h.applied.get(1)!)).not.toContain('lost');
    expect(payloads(h.disks.get(1)!.entries)).not.toContain('lost');
  });

  it('transfers leadership to a caught-up voter', () => {
    const h = new Harness([1, 2, 3]);
    const leader = h.electLeader();
    const target = [...h.nodes.values()].find((n) => n !== leader)!;
    leader.transferLeadership(target.id);
    h.deliverAll();
    h.tickAll(2);
    expect(target.status().role).toBe(StateRole.Leader);
    expect(leader.status().role).toBe(StateRole.Follower);
  });

  it('takes proposals again once a leadership transfer is given up', () => {
    const h = new Harness([1, 2, 3]);
    const leader = h.electLeader();
    const target = [...h.nodes.values()].find((n) => n !== leader)!;
    h.dropIf = (m) => m.type === MessageType.TimeoutNow;
    leader.transferLeadership(target.id);
    h.deliverAll();
    expect(() => leader.propose(text('during'))).toThrow(/being transferred/);
    leader.cancelLeadershipTransfer();
    expect(leader.status().transferee).toBe(0);
    const p = leader.propose(text('after'));
    h.deliverAll();
    expect(p).toMatchObject({ term: leader.status().term });
    expect(leader.status().role).toBe(StateRole.Leader);
    expect(payloads(h.applied.get(leader.id)!)).toContain('after');
  });

  it('serves linearizable reads through ReadIndex on leader and followers', () => {
    const h = new Harness([1, 2, 3]);
    const leader = h.electLeader();
    leader.propose(text('w'));
    h.deliverAll();
    const follower = [...h.nodes.values()].find((n) => n !== leader)!;
    follower.readIndex('r1');
    leader.readIndex('r2');
    h.tickAll(3);
    const writeIndex = leader.status().lastIndex;
    expect(h.reads).toEqual(
      expect.arrayContaining([
        { node: follower.id, context: 'r1', index: writeIndex },
        { node: leader.id, context: 'r2', index: writeIndex },
      ]),
    );
    // A leader cut off from the quorum never confirms a read.
    h.reads = [];
    h.isolate(leader.id);
    leader.readIndex('r3');
    h.tickAll(3);
    expect(h.reads).toEqual([]);
  });

  it('promotes a standby only after it caught up', () => {
    const h = new Harness([1], { promotionLag: 2 });
    const leader = h.electLeader();
    for (let i = 0; i < 10; i++) leader.propose(text(`e${i}`));
    h.deliverAll();
    h.start(2, RaftNode.emptyState(), { promotionLag: 2 });
    leader.proposeConfChange({ kind: 'add', id: 2, role: Role.Standby });
    expect(() => leader.proposeConfChange({ kind: 'assign', id: 2, role: Role.Voter })).toThrow('not caught up');
    h.deliverAll();
    h.tickAll(3);
    expect(h.node(2).status().commit).toBe(leader.status().commit);
    leader.proposeConfChange({ kind: 'assign', id: 2, role: Role.Voter });
    h.deliverAll();
    h.tickAll(3);
    expect(h.node(2).status().membership).toEqual([
      { id: 1, role: Role.Voter },
      { id: 2, role: Role.Voter },
    ]);
    expect(() => leader.proposeConfChange({ kind: 'add', id: 3, role: Role.Voter })).toThrow('standby or spare');
    // With two voters, a change is pending until the other voter acknowledges it.
    h.blocked.add('1>2');
    leader.proposeConfChange({ kind: 'add', id: 3, role: Role.Spare });
    expect(() => leader.proposeConfChange({ kind: 'remove', id: 3 })).toThrow('pending');
  });

  describe('read leases on followers (leaseReads)', () => {
    /** A 3-voter cluster whose leader holds its lease, and follower 2 holding a read lease from it. */
    const withReadLease = (): { h: Harness; leader: RaftNode; holder: RaftNode; other: RaftNode } => {
      const h = new Harness([1, 2, 3], { leaseReads: true });
      const leader = h.electLeader();
      leader.propose(text('w0'));
      h.deliverAll();
      h.tickAll(2);
      const [holder, other] = [...h.nodes.values()].filter((n) => n !== leader);
      holder.readIndex('first');
      h.deliverAll();
      expect(h.reads).toContainEqual({ node: holder.id, context: 'first', index: leader.status().commit });
      h.reads = [];
      return { h, leader, holder, other };
    };
    const readsAsked = (h: Harness, from: NodeId): Message[] => h.inbox.filter((m) => m.type === MessageType.ReadIndex && m.from === from);

    it('a follower holding a lease serves reads without asking the leader', () => {
      const { h, leader, holder } = withReadLease();
      holder.readIndex('local');
      h.flush();
      expect(h.reads).toEqual([{ node: holder.id, context: 'local', index: leader.status().commit }]);
      expect(readsAsked(h, holder.id)).toEqual([]);
    });

    it('the leader commits nothing the holder has not acknowledged until its lease runs out', () => {
      const { h, leader, holder, other } = withReadLease();
      const before = leader.status().commit;
      h.blocked.add(`${leader.id}>${holder.id}`);
      leader.propose(text('w1'));
      h.deliverAll();
      // The other follower acknowledged: a quorum without the holder.
      expect(other.status().lastIndex).toBe(before + 1);
      expect(leader.status().commit).toBe(before);
      // The holder still serves from its lease what is committed (w1 was not acknowledged to anybody).
      holder.readIndex('during');
      h.flush();
      expect(h.reads).toEqual([{ node: holder.id, context: 'during', index: before }]);
      h.tickAll(10);
      expect(leader.status().commit).toBe(before + 1);
      expect(payloads(h.applied.get(leader.id)!)).toContain('w1');
      // The lease ran out: the holder asks the leader again (and is cut off from it, so no answer).
      h.reads = [];
      holder.readIndex('after');
      h.flush();
      expect(h.reads).toEqual([]);
      expect(readsAsked(h, holder.id)).toHaveLength(1);
    });

    it('a holder that has entries not known to be committed asks the leader', () => {
      const { h, leader, holder } = withReadLease();
      leader.propose(text('w1'));
      // The holder gets w1 but not yet the commit index that covers it.
      h.dropIf = (m) => m.to === holder.id && m.type === MessageType.Heartbeat;
      h.deliverAll();
      expect(holder.status().lastIndex).toBeGreaterThan(holder.status().commit);
      holder.readIndex('pending');
      h.flush();
      expect(h.reads).toEqual([]);
      expect(readsAsked(h, holder.id)).toHaveLength(1);
      h.deliverAll();
      expect(h.reads).toEqual([{ node: holder.id, context: 'pending', index: leader.status().commit }]);
    });

    it('while a lease runs, its grantor votes for nobody else', () => {
      const { h, leader, holder, other } = withReadLease();
      const term = leader.status().term;
      h.isolate(holder.id);
      // A campaign that ignores the leader lease (as a stray TimeoutNow starts one) gets no vote from the grantor.
      h.campaign(other.id);
      expect(leader.status()).toMatchObject({ role: StateRole.Leader, term });
      expect(other.status().role).toBe(StateRole.Candidate);
    });

    it('hands leadership over only once the leases it granted to others ran out', () => {
      const { h, leader, other } = withReadLease();
      leader.transferLeadership(other.id);
      h.deliverAll();
      h.tickAll(2);
      expect(leader.status().role).toBe(StateRole.Leader);
      expect(other.status().role).toBe(StateRole.Follower);
      h.tickAll(8);
      expect(other.status().role).toBe(StateRole.Leader);
    });

    it('a follower asks for none without leaseReads', () => {
      const plain = new Harness([1, 2, 3]);
      const leader = plain.electLeader();
      plain.tickAll(2);
      const follower = [...plain.nodes.values()].find((n) => n !== leader)!;
      follower.readIndex('r');
      plain.flush();
      expect(readsAsked(plain, follower.id)).toEqual([expect.not.objectContaining({ wantLease: true })]);
    });
  });
});
