/**
 * RaftLogStore under a real RaftNode: every Ready is persisted with the store, and a node rebuilt
 * from `load()` after reopening must come back in the same place.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_RAFT_CONFIG, Message, MessageType, NodeId, RaftConfig, RaftNode, Role, StateRole } from '@app/raft';
import { RaftLogStore, RaftLogStoreOptions } from './raft-log-store';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('RaftLogStore with RaftNode', () => {
  let root: string;
  const stores: RaftLogStore[] = [];
  const open = (id: NodeId, opts?: RaftLogStoreOptions): RaftLogStore => {
    const s = RaftLogStore.open(path.join(root, `node-${id}`), opts);
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-store-node-'));
  });
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Persists every Ready of `node`; returns the messages it wants sent. */
  const drain = (node: RaftNode, store: RaftLogStore): Message[] => {
    const out: Message[] = [];
    while (node.hasReady()) {
      const rd = node.ready();
      store.save(rd);
      out.push(...rd.messages);
    }
    return out;
  };

  /** A fresh store seeded with the bootstrap state of a new cluster, and a node started from it. */
  const bootstrap = (id: NodeId, ids: NodeId[], cfg: Partial<RaftConfig>, opts?: RaftLogStoreOptions) => {
    const init = RaftNode.bootstrapState(ids.map((i) => ({ id: i, role: Role.Voter })));
    const first = open(id, opts);
    first.save({ hardState: init.hardState, entries: init.entries });
    first.close();
    const store = open(id, opts);
    const config: RaftConfig = { ...DEFAULT_RAFT_CONFIG, id, random: () => 0.5, ...cfg };
    return { store, node: new RaftNode(config, store.load()), config };
  };

  it('restarts a single-node cluster where it stopped', () => {
    const { store, node, config } = bootstrap(1, [1], {}, { segmentBytes: 1024 });
    for (let i = 0; i < 100 && node.status().role !== StateRole.Leader; i++) {
      node.tick();
      drain(node, store);
    }
    expect(node.status().role).toBe(StateRole.Leader);
    for (let i = 0; i < 100; i++) {
      node.propose(text(`entry-${i}`));
      drain(node, store);
    }
    const before = node.status();
    expect(before.commit).toBe(before.lastIndex);
    expect(before.lastIndex).toBeGreaterThanOrEqual(101);
    expect(fs.readdirSync(store.dir).filter((n) => n.endsWith('.seg')).length).toBeGreaterThan(1);
    store.close();

    const again = open(1, { segmentBytes: 1024 });
    const st = again.load();
    expect(again.recoveryNotes).toEqual([]);
    const restarted = new RaftNode(config, st);
    const after = restarted.status();
    expect({ term: after.term, vote: after.vote, commit: after.commit, lastIndex: after.lastIndex, firstIndex: after.firstIndex }).toEqual({
      term: before.term,
      vote: before.vote,
      commit: before.commit,
      lastIndex: before.lastIndex,
      firstIndex: before.firstIndex,
    });
    expect(restarted.debugLog()).toEqual(node.debugLog());
    // It leads again and keeps appending after the stored log.
    for (let i = 0; i < 100 && restarted.status().role !== StateRole.Leader; i++) {
      restarted.tick();
      drain(restarted, again);
    }
    restarted.propose(text('after-restart'));
    drain(restarted, again);
    expect(again.load().entries.at(-1)!.data).toEqual(text('after-restart'));
  });

  it('restarts after a local snapshot and compaction', () => {
    const { store, node, config } = bootstrap(1, [1], { snapshotTrailing: 10 }, { segmentBytes: 512 });
    for (let i = 0; i < 100 && node.status().role !== StateRole.Leader; i++) {
      node.tick();
      drain(node, store);
    }
    for (let i = 0; i < 100; i++) {
      node.propose(text(`entry-${i}`));
      drain(node, store);
    }
    const applied = node.status().applied;
    node.compact(applied, text('state-at-applied'));
    store.saveSnapshot({ meta: node.snapshotMeta()!, data: text('state-at-applied') });
    drain(node, store);
    const before = node.status();
    expect(before.firstIndex).toBe(applied - 10 + 1);
    store.close();

    const again = open(1, { segmentBytes: 512 });
    const st = again.load();
    expect(st.logBase.index).toBe(applied - 10);
    expect(st.snapshot).toEqual({ meta: node.snapshotMeta(), data: text('state-at-applied') });
    const restarted = new RaftNode(config, st);
    const after = restarted.status();
    expect([after.term, after.commit, after.firstIndex, after.lastIndex]).toEqual([before.term, before.commit, before.firstIndex, before.lastIndex]);
    expect(restarted.snapshotMeta()).toEqual(node.snapshotMeta());
  });

  it('persists a snapshot installed over conflicting entries on a follower', () => {
    const ids = [1, 2, 3];
    const nodes = new Map<NodeId, { store: RaftLogStore; node: RaftNode; config: RaftConfig }>();
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const id of ids) nodes.set(id, bootstrap(id, ids, { snapshotTrailing: 0, snapshotChunkBytes: 64, random }, { segmentBytes: 256 }));
    let inbox: Message[] = [];
    const cut = new Set<NodeId>();
    const deliver = (): void => {
      for (const { node, store } of nodes.values()) inbox.push(...drain(node, store));
      for (let i = 0; i < 10_000 && inbox.length; i++) {
        const m = inbox.shift()!;
        if (cut.has(m.from) || cut.has(m.to)) continue;
        const to = nodes.get(m.to)!;
        to.node.step(m);
        inbox.push(...drain(to.node, to.store));
      }
    };
    const n = (id: NodeId): RaftNode => nodes.get(id)!.node;
    const campaign = (id: NodeId): void => {
      n(id).step({ type: MessageType.TimeoutNow, from: 0, to: id, term: n(id).status().term });
      deliver();
    };
    const tick = (times: number): void => {
      for (let t = 0; t < times; t++) {
        for (const { node } of nodes.values()) node.tick();
        deliver();
      }
    };

    campaign(1);
    expect(n(1).status().role).toBe(StateRole.Leader);
    tick(1);
    // Node 1, cut off, appends an entry nobody else sees.
    cut.add(1);
    n(1).propose(text('lost'));
    deliver();
    inbox = [];
    // Nodes 2 and 3 move on under node 2, which snapshots and compacts its log.
    campaign(2);
    expect(n(2).status().role).toBe(StateRole.Leader);
    for (let i = 0; i < 20; i++) n(2).propose(text(`v${i}`));
    deliver();
    tick(2);
    n(2).compact(n(2).status().applied, text('snapshot-state-of-node-2'));
    nodes.get(2)!.store.saveSnapshot({ meta: n(2).snapshotMeta()!, data: text('snapshot-state-of-node-2') });
    deliver();
    cut.clear();
    tick(30);
    const leader = n(2).status();
    expect(n(1).status().role).toBe(StateRole.Follower);
    expect(n(1).snapshotMeta()).toEqual(n(2).snapshotMeta());

    for (const id of ids) {
      const { store, node, config } = nodes.get(id)!;
      const before = node.status();
      expect(before.commit).toBe(leader.commit);
      store.close();
      const again = open(id, { segmentBytes: 256 });
      const st = again.load();
      expect(again.recoveryNotes).toEqual([]);
      expect(st.entries.map((e) => new TextDecoder().decode(e.data))).not.toContain('lost');
      if (id === 1) {
        // Node 1 got the snapshot through a Ready: it replaced its log.
        expect(st.snapshot).toEqual({ meta: n(2).snapshotMeta(), data: text('snapshot-state-of-node-2') });
        expect(st.logBase).toEqual({ index: st.snapshot!.meta.index, term: st.snapshot!.meta.term });
      }
      const restarted = new RaftNode(config, st);
      const after = restarted.status();
      expect([after.term, after.commit, after.lastIndex]).toEqual([before.term, before.commit, before.lastIndex]);
      expect(restarted.debugLog()).toEqual(node.debugLog());
    }
    expect(
      fs.readdirSync(path.join(root, 'node-1')).filter((f) => f.startsWith('snapshot-')),
    ).toHaveLength(1);
  });
});
