import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeConfChange, EntryType, type Membership, Role } from '@app/raft';
import { GlobalStateMachine } from '../global/global-state-machine';
import { RaftLogStore } from '../raft-storage/raft-log-store';
import { snapshotFileName, SNAPSHOT_TMP_SUFFIX } from '../raft-storage/snapshot-file';
import { SegmentFile } from '../raft-storage/segment-file';
import { InvalidMembershipError, NoRaftStateError, RaftStateMismatchError } from './errors';
import { globalDbFile, raftStoreDir } from './global-dir-layout';
import { membershipInForce, sameMembership } from './membership-in-force';
import { type MembershipRewriteStep, rewriteRaftMembership } from './membership-rewrite';
import { readRaftStoreSummary } from './raft-store-summary';
import { SEGMENT_REWRITE_SUFFIX } from './segment-conf-rewrite';
import { mixedLog, openAlone, tempDir, THREE_VOTERS, treeContents, waitForLeadership, writeMemberStore } from './test-member-store';

jest.setTimeout(30_000);

const ONLY_1: Membership = [{ id: 1, role: Role.Voter }];
/** What the mixed log's membership is before any rewrite: 3 became a stand-by, 2 went and came back. */
const MIXED_OLD: Membership = [
  { id: 1, role: Role.Voter },
  { id: 2, role: Role.Voter },
  { id: 3, role: Role.Standby },
];

function rows(globalDir: string): string[] {
  const sm = GlobalStateMachine.open(globalDbFile(globalDir));
  try {
    return sm.query<{ v: string }>('SELECT v FROM probe ORDER BY id').map((r) => r.v);
  } finally {
    sm.close();
  }
}

function load(globalDir: string) {
  const store = RaftLogStore.open(raftStoreDir(globalDir));
  try {
    return store.load();
  } finally {
    store.close();
  }
}

describe('rewriteRaftMembership', () => {
  let root: string;
  let dir: string;

  beforeEach(() => {
    root = tempDir('cubed-rewrite-');
    dir = path.join(root, 'global');
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('applies the committed entries, puts the membership in a snapshot at the commit index and keeps the uncommitted entries', () => {
    writeMemberStore(dir, { entries: mixedLog(), commit: 8, applied: 5, segmentBytes: 120 });
    expect(readRaftStoreSummary(dir)).toMatchObject({ commitIndex: 8, last: { index: 13, term: 3 }, membership: MIXED_OLD, empty: false });

    const result = rewriteRaftMembership(dir, ONLY_1);

    expect(result).toEqual({
      previousMembership: MIXED_OLD,
      membership: ONLY_1,
      snapshot: { index: 8, term: 2 },
      appliedEntries: 3,
      uncommittedEntries: 5,
      rewrittenConfChanges: 2,
    });
    const st = load(dir);
    expect(st.snapshot?.meta).toEqual({ index: 8, term: 2, membership: ONLY_1 });
    expect(st.logBase).toEqual({ index: 8, term: 2 });
    expect(st.hardState).toEqual({ term: 3, vote: 0, commit: 8 });
    expect(st.entries.map((e) => [e.index, e.term])).toEqual([
      [9, 2],
      [10, 2],
      [11, 3],
      [12, 3],
      [13, 3],
    ]);
    // The uncommitted membership changes now carry the new membership; the writes are untouched.
    const changes = st.entries.filter((e) => e.type === EntryType.ConfChange);
    expect(changes.map((e) => [e.index, decodeConfChange(e.data)])).toEqual([
      [10, { kind: 'bootstrap', membership: ONLY_1 }],
      [12, { kind: 'bootstrap', membership: ONLY_1 }],
    ]);
    expect(st.entries.find((e) => e.index === 11)?.data).toEqual(mixedLog()[10].data);
    expect(membershipInForce(st)).toEqual(ONLY_1);
    // The replica is at the commit index, and so is the snapshot's image.
    expect(rows(dir)).toEqual(['r3', 'r4', 'r5', 'r6', 'r8']);
    const sm = GlobalStateMachine.open(globalDbFile(dir));
    expect(sm.appliedState()).toEqual({ index: 8, term: 2 });
    sm.close();
    expect(fs.readdirSync(raftStoreDir(dir)).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(readRaftStoreSummary(dir)).toMatchObject({ commitIndex: 8, snapshot: { index: 8, term: 2 }, membership: ONLY_1 });
  });

  it('leaves a member that starts alone as the only voter, with every entry it had, committing new writes', async () => {
    writeMemberStore(dir, { entries: mixedLog(), commit: 8, applied: 5, segmentBytes: 120 });
    rewriteRaftMembership(dir, ONLY_1);

    const cdb = await openAlone(dir, 1);
    try {
      await waitForLeadership(cdb);
      await cdb.ready(15_000);
      expect(cdb.driver.membership()).toEqual(ONLY_1);
      // The entries that were not known to be committed are committed by the new leader.
      const before = await cdb.db.query<{ v: string }>('SELECT v FROM probe ORDER BY id');
      expect(before.map((r) => r.v)).toEqual(['r3', 'r4', 'r5', 'r6', 'r8', 'r9', 'r11', 'r13']);
      const w = await cdb.db.exec({ statements: [{ sql: 'INSERT INTO probe (id, v) VALUES (?, ?)', params: [100, 'after'] }] });
      expect(w.changes).toBe(1);
      const after = await cdb.db.query<{ v: string }>('SELECT v FROM probe WHERE id = 100');
      expect(after).toEqual([{ v: 'after' }]);
    } finally {
      await cdb.close();
    }
  });

  it('restores a replica that is behind the stored snapshot before applying', () => {
    writeMemberStore(dir, { entries: mixedLog(), commit: 9, applied: 6, snapshotAt: 6, compactTo: 4 });
    // The replica lost everything (a new file): the snapshot at 6 brings it back.
    fs.rmSync(globalDbFile(dir));
    const steps: MembershipRewriteStep[] = [];
    const result = rewriteRaftMembership(dir, THREE_VOTERS, { beforeStep: (s) => steps.push(s) });
    expect(steps).toEqual(['restore-replica', 'apply-committed', 'rewrite-segment', 'write-snapshot', 'remove-old-snapshots', 'compact-log']);
    expect(result).toMatchObject({ snapshot: { index: 9, term: 2 }, appliedEntries: 3, uncommittedEntries: 4, rewrittenConfChanges: 2 });
    expect(rows(dir)).toEqual(['r3', 'r4', 'r5', 'r6', 'r8', 'r9']);
    const names = fs.readdirSync(raftStoreDir(dir)).filter((n) => n.startsWith('snapshot-'));
    expect(names).toEqual([snapshotFileName(9, 2)]);
    expect(membershipInForce(load(dir))).toEqual(THREE_VOTERS);
  });

  it('counts applied entries as committed when the hard state lags behind the replica', () => {
    writeMemberStore(dir, { entries: mixedLog(), commit: 4, applied: 9 });
    const result = rewriteRaftMembership(dir, ONLY_1);
    expect(result.snapshot).toEqual({ index: 9, term: 2 });
    expect(result.appliedEntries).toBe(0);
    expect(load(dir).hardState.commit).toBe(9);
  });

  it('replaces a snapshot already at the commit index and is idempotent', () => {
    writeMemberStore(dir, { entries: mixedLog(), commit: 8, applied: 8, snapshotAt: 8 });
    const first = rewriteRaftMembership(dir, ONLY_1);
    const second = rewriteRaftMembership(dir, ONLY_1);
    expect(second).toEqual({ ...first, previousMembership: ONLY_1, appliedEntries: 0 });
    const st = load(dir);
    expect(st.snapshot?.meta).toEqual({ index: 8, term: 2, membership: ONLY_1 });
    expect(membershipInForce(st)).toEqual(ONLY_1);
    expect(rows(dir)).toEqual(['r3', 'r4', 'r5', 'r6', 'r8']);
  });

  describe('refuses, writing nothing', () => {
    it('a directory without Raft state', () => {
      fs.mkdirSync(dir, { recursive: true });
      expect(() => rewriteRaftMembership(dir, ONLY_1)).toThrow(NoRaftStateError);
      expect(fs.existsSync(raftStoreDir(dir))).toBe(false);
    });

    it('a Raft store that never received a log', () => {
      RaftLogStore.open(raftStoreDir(dir)).close();
      const before = treeContents(root);
      expect(() => rewriteRaftMembership(dir, ONLY_1)).toThrow(/holds no entry and no snapshot: this member never received the cluster database/);
      expect(treeContents(root)).toEqual(before);
    });

    it('a replica that is ahead of the log', () => {
      writeMemberStore(dir, { entries: mixedLog().slice(0, 6), commit: 6, applied: 6 });
      // The log of another, shorter history.
      fs.rmSync(raftStoreDir(dir), { recursive: true });
      writeMemberStore(path.join(root, 'other'), { entries: mixedLog().slice(0, 3), commit: 3, applied: 0 });
      fs.renameSync(raftStoreDir(path.join(root, 'other')), raftStoreDir(dir));
      fs.rmSync(path.join(root, 'other'), { recursive: true });
      const before = treeContents(root);
      expect(() => rewriteRaftMembership(dir, ONLY_1)).toThrow(RaftStateMismatchError);
      expect(() => rewriteRaftMembership(dir, ONLY_1)).toThrow(/has applied entry 6 but the Raft log in .* ends at 3/);
      expect(treeContents(root)).toEqual(before);
    });

    it.each<[string, Membership, RegExp]>([
      ['no member', [], /no member/],
      ['no voter', [{ id: 1, role: Role.Spare }], /no voter/],
      ['a duplicate id', [{ id: 1, role: Role.Voter }, { id: 1, role: Role.Spare }], /member id 1 appears twice/],
      ['a bad id', [{ id: 0, role: Role.Voter }], /bad member id 0/],
      ['an unknown role', [{ id: 1, role: 'leader' as Role }], /unknown role leader/],
    ])('a membership with %s', (_what, membership, message) => {
      writeMemberStore(dir, { entries: mixedLog(), commit: 8, applied: 5 });
      const before = treeContents(root);
      expect(() => rewriteRaftMembership(dir, membership)).toThrow(InvalidMembershipError);
      expect(() => rewriteRaftMembership(dir, membership)).toThrow(message);
      expect(treeContents(root)).toEqual(before);
    });
  });

  describe('a crash in the middle', () => {
    const STEPS: MembershipRewriteStep[] = ['apply-committed', 'rewrite-segment', 'rewrite-segment', 'write-snapshot', 'remove-old-snapshots', 'compact-log'];

    it('goes through every step of a log with membership changes in two segments', () => {
      writeMemberStore(dir, { entries: mixedLog(), commit: 8, applied: 5, segmentBytes: 120, snapshotAt: 6, compactTo: 4 });
      const steps: MembershipRewriteStep[] = [];
      rewriteRaftMembership(dir, ONLY_1, { beforeStep: (s) => steps.push(s) });
      expect(steps).toEqual(STEPS);
    });

    it.each(STEPS.map((s, i) => [i, s] as const))('before step %i (%s) leaves a store that loads the old or the new membership, and a rerun completes it', async (n) => {
      writeMemberStore(dir, { entries: mixedLog(), commit: 8, applied: 5, segmentBytes: 120, snapshotAt: 6, compactTo: 4 });
      let calls = 0;
      const crash = new Error('crash');
      expect(() =>
        rewriteRaftMembership(dir, ONLY_1, {
          beforeStep: () => {
            if (calls++ === n) throw crash;
          },
        }),
      ).toThrow(crash);
      // What a crash could also leave: half-written temporary files.
      const raft = raftStoreDir(dir);
      fs.writeFileSync(path.join(raft, snapshotFileName(8, 2) + SNAPSHOT_TMP_SUFFIX), 'partial');
      fs.writeFileSync(path.join(raft, SegmentFile.fileName(9) + SEGMENT_REWRITE_SUFFIX), 'partial');

      // The replica holds a prefix of the committed entries.
      expect(rows(dir)).toEqual(n === 0 ? ['r3', 'r4', 'r5', 'r6'] : ['r3', 'r4', 'r5', 'r6', 'r8']);
      // Up to the rename of the segment with the last membership change the old membership is in
      // force; from then on the new one. The member starts (its clock slowed down: no election).
      const expected = n <= 1 ? MIXED_OLD : ONLY_1;
      const cdb = await openAlone(dir, 1, 60_000);
      try {
        expect(sameMembership(cdb.driver.membership(), expected)).toBe(true);
      } finally {
        await cdb.close();
      }

      const result = rewriteRaftMembership(dir, ONLY_1);
      expect(result.snapshot).toEqual({ index: 8, term: 2 });
      expect(fs.readdirSync(raft).filter((f) => f.endsWith(SEGMENT_REWRITE_SUFFIX))).toEqual([]);
      const st = load(dir);
      expect(st.snapshot?.meta).toEqual({ index: 8, term: 2, membership: ONLY_1 });
      expect(st.entries.map((e) => e.index)).toEqual([9, 10, 11, 12, 13]);
      expect(membershipInForce(st)).toEqual(ONLY_1);
      const alone = await openAlone(dir, 1);
      try {
        await waitForLeadership(alone);
        const all = await alone.db.query<{ v: string }>('SELECT v FROM probe ORDER BY id');
        expect(all.map((r) => r.v)).toEqual(['r3', 'r4', 'r5', 'r6', 'r8', 'r9', 'r11', 'r13']);
      } finally {
        await alone.close();
      }
    });
  });

  it('keeps a log without membership changes after the commit index as it is', () => {
    const entries = mixedLog().slice(0, 9);
    writeMemberStore(dir, { entries, commit: 8, applied: 8 });
    const steps: MembershipRewriteStep[] = [];
    const result = rewriteRaftMembership(dir, THREE_VOTERS, { beforeStep: (s) => steps.push(s) });
    expect(steps).toEqual(['write-snapshot', 'remove-old-snapshots', 'compact-log']);
    expect(result).toMatchObject({ uncommittedEntries: 1, rewrittenConfChanges: 0 });
    expect(load(dir).entries).toEqual([entries[8]]);
  });
});
