import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Entry, EntryType, Role, Snapshot } from '@app/raft';
import { RaftStorageCorruptError } from './errors';
import { HARD_STATE_FILE } from './hard-state-file';
import { RaftLogStore, RaftLogStoreOptions } from './raft-log-store';
import { SegmentFile } from './segment-file';
import { snapshotFileName, writeSnapshotFile } from './snapshot-file';

const ent = (index: number, term: number, s = `e${index}`): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: new TextEncoder().encode(s),
});
const range = (from: number, to: number, term: number, prefix = 'e'): Entry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ent(from + i, term, `${prefix}${from + i}`));
const seg = (first: number): string => SegmentFile.fileName(first);
/** Records of ent(i, t) for i < 10 are 8 + 17 + 2 = 27 bytes. */
const REC = 27;

describe('RaftLogStore', () => {
  let dir: string;
  const stores: RaftLogStore[] = [];
  const open = (opts?: RaftLogStoreOptions): RaftLogStore => {
    const s = RaftLogStore.open(dir, opts);
    stores.push(s);
    return s;
  };
  const reopen = (s: RaftLogStore, opts?: RaftLogStoreOptions): RaftLogStore => {
    s.close();
    return open(opts);
  };
  const segFiles = (): string[] => fs.readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();
  const flip = (file: string, offset: number): void => {
    const p = path.join(dir, file);
    const buf = fs.readFileSync(p);
    buf[offset] ^= 0x5a;
    fs.writeFileSync(p, buf);
  };

  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'raft-store-')), 'raft');
  });
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('creates the directory and loads an empty state', () => {
    const s = open();
    expect(fs.existsSync(path.join(dir, HARD_STATE_FILE))).toBe(true);
    expect(s.load()).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, logBase: { index: 0, term: 0 }, entries: [] });
    expect(s.recoveryNotes).toEqual([]);
    expect(s.sizeBytes()).toBe(0);
  });

  it('round-trips entries and hard state across close and reopen', () => {
    const s = open();
    s.save({ hardState: { term: 1, vote: 1, commit: 0 }, entries: range(1, 3, 1) });
    s.save({ hardState: { term: 2, vote: 1, commit: 3 }, entries: range(4, 5, 2) });
    s.save({ entries: [] });
    expect(s.sizeBytes()).toBe(5 * REC);
    const t = reopen(s);
    expect(t.load()).toEqual({
      hardState: { term: 2, vote: 1, commit: 3 },
      logBase: { index: 0, term: 0 },
      entries: [...range(1, 3, 1), ...range(4, 5, 2)],
    });
    expect(t.recoveryNotes).toEqual([]);
    expect(t.lastIndex).toBe(5);
    // A second load reads the disk again.
    expect(t.load().entries).toHaveLength(5);
  });

  it('overwrites a stored suffix', () => {
    const s = open();
    s.save({ hardState: { term: 1, vote: 1, commit: 4 }, entries: range(1, 10, 1) });
    s.save({ hardState: { term: 2, vote: 2, commit: 4 }, entries: range(7, 8, 2, 'x') });
    expect(s.lastIndex).toBe(8);
    let t = reopen(s);
    expect(t.load().entries).toEqual([...range(1, 6, 1), ...range(7, 8, 2, 'x')]);
    t.save({ entries: [ent(9, 2)] });
    t = reopen(t);
    expect(t.load().entries).toEqual([...range(1, 6, 1), ...range(7, 8, 2, 'x'), ent(9, 2)]);
  });

  it('rolls segments and truncates across a segment boundary', () => {
    const opts = { segmentBytes: 100 }; // four 27-byte records per segment
    const s = open(opts);
    s.save({ entries: range(1, 10, 1) });
    expect(segFiles()).toEqual([seg(1), seg(5), seg(9)]);
    for (let i = 11; i <= 13; i++) s.save({ entries: [ent(i, 1)] });
    expect(segFiles()).toEqual([seg(1), seg(5), seg(9), seg(13)]);
    // Cut inside the first segment: the later segments go, the first is truncated in place.
    s.save({ hardState: { term: 2, vote: 0, commit: 2 }, entries: range(3, 6, 2, 'y') });
    expect(segFiles()).toEqual([seg(1), seg(5)]);
    expect(fs.statSync(path.join(dir, seg(1))).size).toBe(4 * REC);
    expect(s.sizeBytes()).toBe(6 * REC);
    let t = reopen(s, opts);
    const want = [...range(1, 2, 1), ...range(3, 6, 2, 'y')];
    expect(t.load().entries).toEqual(want);
    // Cut exactly at a segment's first index.
    t.save({ entries: [ent(5, 3, 'z5')] });
    expect(segFiles()).toEqual([seg(1), seg(5)]);
    t = reopen(t, opts);
    expect(t.load().entries).toEqual([...want.slice(0, 4), ent(5, 3, 'z5')]);
  });

  it('compacts lazily and loads only the entries after the base', () => {
    const opts = { segmentBytes: 100 };
    const s = open(opts);
    s.save({ hardState: { term: 1, vote: 1, commit: 10 }, entries: range(1, 10, 1) });
    s.save({ entries: [], compact: { index: 6, term: 1 } });
    expect(segFiles()).toEqual([seg(5), seg(9)]); // 1..4 deleted, 5..8 kept as it holds 7 and 8
    expect(s.logBase).toEqual({ index: 6, term: 1 });
    let t = reopen(s, opts);
    expect(t.load()).toEqual({ hardState: { term: 1, vote: 1, commit: 10 }, logBase: { index: 6, term: 1 }, entries: range(7, 10, 1) });
    // Compacting everything, then appending, starts a fresh segment.
    t.save({ entries: [], compact: { index: 10, term: 1 } });
    expect(segFiles()).toEqual([]);
    t.save({ hardState: { term: 2, vote: 1, commit: 11 }, entries: [ent(11, 2)] });
    expect(segFiles()).toEqual([seg(11)]);
    t = reopen(t, opts);
    expect(t.load()).toEqual({ hardState: { term: 2, vote: 1, commit: 11 }, logBase: { index: 10, term: 1 }, entries: [ent(11, 2)] });
    expect(t.recoveryNotes).toEqual([]);
  });

  it('finishes a compaction whose segment deletions were lost', () => {
    const opts = { segmentBytes: 100 };
    const s = open(opts);
    s.save({ entries: range(1, 10, 1) });
    const saved = fs.readFileSync(path.join(dir, seg(1)));
    s.save({ entries: [], compact: { index: 8, term: 1 } });
    s.close();
    fs.writeFileSync(path.join(dir, seg(1)), saved); // as if the unlink never reached the disk
    const t = open(opts);
    expect(t.load()).toEqual(expect.objectContaining({ logBase: { index: 8, term: 1 }, entries: range(9, 10, 1) }));
    expect(segFiles()).toEqual([seg(9)]);
  });

  it('installs a snapshot that replaces the log', () => {
    const opts = { segmentBytes: 100 };
    const s = open(opts);
    s.save({ hardState: { term: 1, vote: 1, commit: 5 }, entries: range(1, 10, 1) });
    const snap: Snapshot = {
      meta: { index: 20, term: 3, membership: [{ id: 1, role: Role.Voter }] },
      data: new Uint8Array(randomBytes(3 << 20)),
    };
    s.save({ snapshot: snap, hardState: { term: 3, vote: 0, commit: 21 }, entries: range(21, 22, 3) });
    expect(segFiles()).toEqual([seg(21)]);
    let t = reopen(s, opts);
    const st = t.load();
    expect(st.logBase).toEqual({ index: 20, term: 3 });
    expect(st.hardState).toEqual({ term: 3, vote: 0, commit: 21 });
    expect(st.entries).toEqual(range(21, 22, 3));
    expect(st.snapshot!.meta).toEqual(snap.meta);
    expect(Buffer.compare(st.snapshot!.data, snap.data)).toBe(0);
    // A newer snapshot without entries replaces the old file.
    const snap2: Snapshot = { meta: { index: 30, term: 4, membership: [] }, data: new Uint8Array([1, 2, 3]) };
    t.save({ snapshot: snap2, hardState: { term: 4, vote: 0, commit: 30 }, entries: [] });
    expect(fs.readdirSync(dir).sort()).toEqual([HARD_STATE_FILE, snapshotFileName(30, 4)]);
    t = reopen(t, opts);
    expect(t.load()).toEqual({ hardState: { term: 4, vote: 0, commit: 30 }, logBase: { index: 30, term: 4 }, snapshot: snap2, entries: [] });
    t.save({ entries: [ent(31, 4)] });
    t = reopen(t, opts);
    expect(t.load().entries).toEqual([ent(31, 4)]);
  });

  it('keeps a locally taken snapshot next to the log', () => {
    const s = open({ segmentBytes: 100 });
    s.save({ hardState: { term: 1, vote: 1, commit: 10 }, entries: range(1, 10, 1) });
    const snap: Snapshot = { meta: { index: 8, term: 1, membership: [] }, data: new Uint8Array([9]) };
    s.saveSnapshot(snap);
    s.saveSnapshot({ ...snap, meta: { ...snap.meta, index: 7 } }); // older: ignored
    s.save({ entries: [], compact: { index: 5, term: 1 } });
    const t = reopen(s);
    expect(t.load()).toEqual({ hardState: { term: 1, vote: 1, commit: 10 }, logBase: { index: 5, term: 1 }, snapshot: snap, entries: range(6, 10, 1) });
    expect(t.recoveryNotes).toEqual([]);
  });

  it('finishes a snapshot install interrupted before the log was dropped', () => {
    const s = open();
    s.save({ hardState: { term: 1, vote: 1, commit: 5 }, entries: range(1, 5, 1) });
    s.close();
    const snap: Snapshot = { meta: { index: 10, term: 2, membership: [] }, data: new Uint8Array([1]) };
    writeSnapshotFile(dir, snap);
    const t = open();
    expect(t.load()).toEqual({ hardState: { term: 1, vote: 1, commit: 5 }, logBase: { index: 10, term: 2 }, snapshot: snap, entries: [] });
    expect(t.recoveryNotes).toEqual([expect.stringContaining('finished installing snapshot')]);
    expect(segFiles()).toEqual([]);
    t.save({ entries: [ent(11, 2)] });
    expect(reopen(t).load().entries).toEqual([ent(11, 2)]);
  });

  it('cuts a torn tail (short record) and appends cleanly after it', () => {
    const s = open();
    s.save({ hardState: { term: 1, vote: 1, commit: 3 }, entries: range(1, 5, 1) });
    s.close();
    fs.truncateSync(path.join(dir, seg(1)), 4 * REC + 10);
    let t = open();
    expect(t.load().entries).toEqual(range(1, 4, 1));
    expect(t.recoveryNotes).toEqual([
      `${seg(1)}: cut a torn tail at offset ${4 * REC} (short record, 10 bytes dropped); the segment now ends at index 4`,
    ]);
    expect(fs.statSync(path.join(dir, seg(1))).size).toBe(4 * REC);
    t.save({ entries: [ent(5, 2, 'n5'), ent(6, 2, 'n6')] });
    t = reopen(t);
    expect(t.load().entries).toEqual([...range(1, 4, 1), ent(5, 2, 'n5'), ent(6, 2, 'n6')]);
    expect(t.recoveryNotes).toEqual([]);
  });

  it('keeps zeros ahead of the last record, which read back as the end of the log', () => {
    const s = open({ preallocateBytes: 4096 });
    s.save({ hardState: { term: 1, vote: 1, commit: 0 }, entries: range(1, 5, 1) });
    const file = path.join(dir, seg(1));
    expect(fs.statSync(file).size).toBe(5 * REC + 4096);
    // A crash now (this store is abandoned, never closed): the zeros are not a torn write.
    stores.splice(stores.indexOf(s), 1);
    let t = RaftLogStore.open(dir, { preallocateBytes: 4096 });
    expect(t.load().entries).toEqual(range(1, 5, 1));
    expect(t.recoveryNotes).toEqual([]);
    t.save({ entries: [ent(6, 1)] });
    t.close();
    expect(fs.statSync(file).size).toBe(6 * REC); // trimmed on close
    // A record torn inside the zeros is cut off like any torn tail.
    t = open({ preallocateBytes: 4096 });
    t.save({ entries: [ent(7, 1)] });
    const buf = fs.readFileSync(file);
    buf.fill(0, 6 * REC + 20, 7 * REC); // the end of record 7 never reached the disk
    fs.writeFileSync(file, buf);
    const u = RaftLogStore.open(dir, { preallocateBytes: 4096 });
    expect(u.load().entries).toEqual(range(1, 6, 1));
    expect(u.recoveryNotes).toEqual([expect.stringContaining(`cut a torn tail at offset ${6 * REC}`)]);
    u.close();
  });

  it('cuts a torn tail (bad checksum in the last record)', () => {
    const s = open();
    s.save({ entries: range(1, 5, 1) });
    s.close();
    flip(seg(1), 4 * REC + 25); // a data byte of record 5
    let t = open();
    expect(t.load().entries).toEqual(range(1, 4, 1));
    expect(t.recoveryNotes).toEqual([expect.stringContaining(`cut a torn tail at offset ${4 * REC} (checksum mismatch`)]);
    t.save({ entries: [ent(5, 1, 'again')] });
    t = reopen(t);
    expect(t.load().entries).toEqual([...range(1, 4, 1), ent(5, 1, 'again')]);
  });

  it('drops a last segment that is torn entirely', () => {
    const s = open({ segmentBytes: 100 });
    s.save({ entries: range(1, 5, 1) });
    s.close();
    fs.truncateSync(path.join(dir, seg(5)), 3);
    const t = open({ segmentBytes: 100 });
    expect(t.load().entries).toEqual(range(1, 4, 1));
    expect(segFiles()).toEqual([seg(1)]);
    t.save({ entries: [ent(5, 1)] });
    expect(segFiles()).toEqual([seg(1), seg(5)]);
  });

  it('refuses a damaged record in the middle of the log', () => {
    const s = open();
    s.save({ entries: range(1, 5, 1) });
    s.close();
    flip(seg(1), 2 * REC + 25); // record 3: records 4 and 5 follow
    expect(() => open()).toThrow(RaftStorageCorruptError);
    expect(() => open()).toThrow(`raft log corrupt in ${seg(1)} at offset ${2 * REC}: checksum mismatch`);
    let error: unknown;
    try {
      open();
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ name: 'RaftStorageCorruptError', file: seg(1), offset: 2 * REC });
    // A damaged length field is found the same way.
    flip(seg(1), 2 * REC + 25);
    flip(seg(1), 2 * REC + 1);
    expect(() => open()).toThrow(`raft log corrupt in ${seg(1)} at offset ${2 * REC}: short record`);
  });

  it('refuses damage at the end of a segment that is not the last', () => {
    const s = open({ segmentBytes: 100 });
    s.save({ entries: range(1, 6, 1) });
    s.close();
    flip(seg(1), 3 * REC + 25);
    expect(() => open()).toThrow(`raft log corrupt in ${seg(1)} at offset ${3 * REC}: checksum mismatch (expected index 4) in a segment that is not the last`);
  });

  it('refuses a gap between segments', () => {
    const s = open({ segmentBytes: 100 });
    s.save({ entries: range(1, 10, 1) });
    s.close();
    fs.unlinkSync(path.join(dir, seg(5)));
    expect(() => open()).toThrow(`raft log corrupt: gap between ${seg(1)} (ends at index 4) and ${seg(9)} (starts at 9)`);
  });

  it('refuses a corrupt hard-state file', () => {
    const s = open();
    s.save({ hardState: { term: 1, vote: 1, commit: 1 }, entries: range(1, 2, 1) });
    s.close();
    flip(HARD_STATE_FILE, 20);
    flip(HARD_STATE_FILE, 512 + 20);
    expect(() => open()).toThrow(RaftStorageCorruptError);
    expect(() => open()).toThrow(/^raft hard state corrupt in hardstate\.bin: no valid copy/);
  });

  it('uses the older hard-state copy when the newest is torn', () => {
    const s = open();
    s.save({ hardState: { term: 1, vote: 1, commit: 1 }, entries: range(1, 2, 1) }); // slot 0
    s.save({ hardState: { term: 1, vote: 1, commit: 2 }, entries: [] }); // slot 1
    s.close();
    flip(HARD_STATE_FILE, 512 + 30);
    const t = open();
    expect(t.load().hardState).toEqual({ term: 1, vote: 1, commit: 1 });
    expect(t.recoveryNotes).toEqual([expect.stringContaining('slot 1 at offset 512 is unreadable')]);
  });

  it('writes term and vote durably at once, and a change of the commit index alone later', () => {
    const s = open();
    s.save({ hardState: { term: 1, vote: 1, commit: 0 }, entries: range(1, 3, 1) });
    s.save({ hardState: { term: 1, vote: 1, commit: 3 }, entries: [] });
    expect(s.currentHardState).toEqual({ term: 1, vote: 1, commit: 3 });
    // A crash now (another store reading the same files) finds the last durable state.
    const crashed = RaftLogStore.open(dir);
    expect(crashed.load().hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    crashed.close();
    // The next durable write carries the newest commit index along.
    s.save({ hardState: { term: 2, vote: 0, commit: 3 }, entries: [] });
    const again = RaftLogStore.open(dir);
    expect(again.load().hardState).toEqual({ term: 2, vote: 0, commit: 3 });
    again.close();
    // So does flush(), and close().
    s.save({ hardState: { term: 2, vote: 0, commit: 4 }, entries: range(4, 4, 2) });
    s.flush();
    const flushed = RaftLogStore.open(dir);
    expect(flushed.load().hardState).toEqual({ term: 2, vote: 0, commit: 4 });
    flushed.close();
  });

  it('refuses a log without a hard-state file', () => {
    open().save({ entries: range(1, 2, 1) });
    stores.splice(0).forEach((s) => s.close());
    fs.unlinkSync(path.join(dir, HARD_STATE_FILE));
    expect(() => open()).toThrow('has 1 log segment(s) and 0 snapshot(s) but no hard-state file');
  });

  it('rejects Readies that do not fit the log without failing the store', () => {
    const s = open();
    s.save({ entries: range(1, 3, 1) });
    expect(() => s.save({ entries: [ent(5, 1)] })).toThrow('cannot write index 5, the log ends at 3');
    expect(() => s.save({ entries: [ent(4, 1), ent(6, 1)] })).toThrow('entries are not consecutive at index 6');
    s.save({ entries: [], compact: { index: 2, term: 1 } });
    expect(() => s.save({ entries: [ent(2, 2)] })).toThrow('cannot write index 2 at or before the log base 2');
    s.save({ entries: [ent(4, 1)] });
    expect(reopen(s).load().entries).toEqual(range(3, 4, 1));
  });

  it('refuses writes after an I/O failure until reopened', () => {
    const s = open({ segmentBytes: 100 });
    s.save({ entries: range(1, 4, 1) });
    // The next save must create segment 5: make that fail.
    fs.mkdirSync(path.join(dir, seg(5)));
    expect(() => s.save({ entries: [ent(5, 1)] })).toThrow(/EEXIST/);
    expect(() => s.save({ entries: [ent(5, 1)] })).toThrow('failed earlier and must be reopened');
    fs.rmdirSync(path.join(dir, seg(5)));
    const t = reopen(s, { segmentBytes: 100 });
    t.save({ entries: [ent(5, 1)] });
    expect(t.load().entries).toEqual(range(1, 5, 1));
  });
});
