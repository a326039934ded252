/**
 * RaftLogStore: the durable, directory-backed storage of one Raft node — what RaftNode needs at
 * start (`load()`) and the persistence half of handling a Ready (`save()`).
 *
 * Directory layout:
 *   hardstate.bin                      term, vote, commit and log base (hard-state-file.ts)
 *   log-<20-digit first index>.seg     log segments (segment-file.ts, record-codec.ts)
 *   snapshot-<index>-<term>.bin        the latest snapshot (snapshot-file.ts)
 *
 * Invariants kept on disk at every instant (so a crash anywhere leaves a loadable directory):
 *   - segments hold consecutive indexes; the first one starts at or before logBase + 1
 *     (segments entirely at or before the log base may linger until deleted: compaction is lazy);
 *   - only the last segment can have a torn tail (a segment is fsync'd before the next is created);
 *   - the hard state is written after the entries it may refer to are durable;
 *   - a snapshot file with its final name is complete and durable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Entry, HardState, PersistedState, Snapshot } from '@app/raft';
import { RaftStorageCorruptError } from './errors';
import { fsyncDir } from './fs-util';
import { HardStateFile, StoredHardState } from './hard-state-file';
import { recordSize } from './record-codec';
import { SegmentFile } from './segment-file';
import { parseSnapshotFileName, readSnapshotFile, SNAPSHOT_TMP_SUFFIX, writeSnapshotFile } from './snapshot-file';

export interface RaftLogStoreOptions {
  /** A segment that reaches this size is closed and the next entry starts a new one (default 64 MiB). */
  segmentBytes?: number;
  /** Zeros kept ahead of the last record of the open segment (default 1 MiB, at most the segment size; 0 = none). */
  preallocateBytes?: number;
}

/** The persistence part of a Ready. */
export interface RaftSave {
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  compact?: { index: number; term: number };
}

export const DEFAULT_SEGMENT_BYTES = 64 << 20;
const PREALLOCATE_BYTES = 1 << 20;

type LogPosition = { index: number; term: number };

export class RaftLogStore {
  /** What recovery repaired while opening (torn tails cut off, unreadable hard-state slot...). */
  readonly recoveryNotes: string[] = [];

  private readonly segmentBytes: number;
  private readonly preallocate: number;
  private segments: SegmentFile[] = [];
  private hardState!: HardStateFile;
  private base: LogPosition = { index: 0, term: 0 };
  /** The stored snapshot (file name and position). */
  private snap?: { name: string; index: number; term: number };
  /** The state found by open(), handed out by a load() before any write. */
  private opened?: PersistedState;
  private failure?: Error;
  private closed = false;
  /** A hard state whose only change is the commit index, not yet written (see writeHardState). */
  private unsyncedHardState?: HardState;

  private constructor(
    readonly dir: string,
    opts: RaftLogStoreOptions,
  ) {
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!(this.segmentBytes > 0)) throw new RangeError(`raft storage: bad segment size ${this.segmentBytes}`);
    this.preallocate = opts.preallocateBytes ?? Math.min(PREALLOCATE_BYTES, this.segmentBytes);
  }

  /**
   * Opens (creating if missing) the store in `dir` and recovers it: cuts a torn tail off the last
   * segment, finishes an interrupted compaction or snapshot install. Throws
   * RaftStorageCorruptError when the directory is damaged beyond what a crash can explain.
   */
  static open(dir: string, opts: RaftLogStoreOptions = {}): RaftLogStore {
    const created = fs.mkdirSync(dir, { recursive: true });
    if (created !== undefined) fsyncDir(path.dirname(path.resolve(dir)));
    const store = new RaftLogStore(dir, opts);
    store.opened = store.recover();
    return store;
  }

  /** What RaftNode's constructor needs. */
  load(): PersistedState {
    this.checkUsable();
    let st = this.opened;
    if (!st) {
      try {
        st = this.recover();
      } catch (err) {
        this.failure = err as Error;
        throw err;
      }
    }
    this.opened = undefined;
    return st;
  }

  /**
   * Persists the storage part of one Ready, durably, in the order the Ready requires: snapshot,
   * entries (one fsync for all of them), hard state (one fsync), compaction. After a failure the
   * store refuses further writes: reopen it to recover.
   */
  save(rd: RaftSave): void {
    this.checkUsable();
    this.validate(rd);
    this.opened = undefined;
    try {
      let dirty = false;
      if (rd.snapshot) {
        this.installSnapshot(rd.snapshot, rd.entries.length > 0);
        dirty = true;
      }
      if (rd.entries.length) this.append(rd.entries);
      if (rd.compact && rd.compact.index > this.base.index) this.base = { index: rd.compact.index, term: rd.compact.term };
      this.writeHardState(rd.hardState);
      if (rd.compact) dirty = this.dropCompacted() || dirty;
      if (dirty) fsyncDir(this.dir);
    } catch (err) {
      this.failure = err as Error;
      throw err;
    }
  }

  /**
   * Whether save() of `rd` is a plain append: entries right after the last one, all in the open
   * segment, no snapshot or compaction, and no change of term, vote or log base. Such a save can
   * go through saveAsync(), whose sync does not block the event loop.
   */
  canSaveAsync(rd: RaftSave): boolean {
    if (this.closed || this.failure || rd.snapshot || rd.compact || rd.entries.length === 0) return false;
    const tail = this.tail();
    if (!tail || rd.entries[0].index !== this.lastIndex + 1 || rd.entries[0].index !== tail.lastIndex + 1) return false;
    let bytes = tail.size;
    for (const e of rd.entries) bytes += recordSize(e);
    if (bytes >= this.segmentBytes) return false;
    const stored = this.hardState.state;
    const hs = rd.hardState ?? stored.hardState;
    return hs.term === stored.hardState.term && hs.vote === stored.hardState.vote;
  }

  /**
   * save() for a Ready that canSaveAsync() accepts: the records are written at once and made
   * durable by an fdatasync on the thread pool; `done` runs when they are durable (or failed).
   * No other save may start before `done` ran.
   */
  saveAsync(rd: RaftSave, done: (err?: Error) => void): void {
    try {
      this.checkUsable();
      if (!this.canSaveAsync(rd)) throw new Error('raft storage: this save cannot be made asynchronously');
      this.opened = undefined;
      const tail = this.tail()!;
      tail.append(rd.entries);
      this.writeHardState(rd.hardState);
      tail.syncAsync((err) => {
        if (err) this.failure = err;
        done(err);
      });
    } catch (err) {
      this.failure = err as Error;
      setImmediate(() => done(err as Error));
    }
  }

  /**
   * Writes the hard state, durably when the term, the vote or the log base changed: those must be
   * on disk before this member sends anything. A change of the commit index alone is kept in
   * memory and written with the next durable write or flush(): a commit index lost in a crash is
   * learnt again from the leader, and the state machine's own applied index says what was applied.
   */
  private writeHardState(hs: HardState | undefined): void {
    const stored = this.hardState.state;
    const next = hs ?? this.unsyncedHardState ?? stored.hardState;
    const durable =
      next.term !== stored.hardState.term ||
      next.vote !== stored.hardState.vote ||
      this.base.index !== stored.logBase.index ||
      this.base.term !== stored.logBase.term;
    if (durable) {
      this.hardState.write({ hardState: next, logBase: this.base });
      this.unsyncedHardState = undefined;
    } else if (next.commit !== stored.hardState.commit) {
      this.unsyncedHardState = { ...next };
    }
  }

  /** Writes a commit index kept in memory (see writeHardState) durably; close() does it too. */
  flush(): void {
    this.checkUsable();
    if (!this.unsyncedHardState) return;
    try {
      this.hardState.write({ hardState: this.unsyncedHardState, logBase: this.base });
      this.unsyncedHardState = undefined;
    } catch (err) {
      this.failure = err as Error;
      throw err;
    }
  }

  /** The hard state as last handed to save(), whether or not it is on disk yet. */
  get currentHardState(): HardState {
    return { ...(this.unsyncedHardState ?? this.hardState.state.hardState) };
  }

  /**
   * Stores a snapshot the application took itself (RaftNode.compact): the log is unchanged.
   * Call it before saving the Ready whose `compact` relies on the snapshot. Older snapshots
   * are deleted once the new one is durable; a snapshot not newer than the stored one is ignored.
   */
  saveSnapshot(snapshot: Snapshot): void {
    this.checkUsable();
    if (this.snap && snapshot.meta.index <= this.snap.index) return;
    this.opened = undefined;
    try {
      this.putSnapshotFile(snapshot);
      this.deleteOtherSnapshots();
      fsyncDir(this.dir);
    } catch (err) {
      this.failure = err as Error;
      throw err;
    }
  }

  /** Total size of the log segments in bytes. */
  sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /** Index and term of the entry before the first live entry. */
  get logBase(): LogPosition {
    return { ...this.base };
  }

  /** Index of the last stored entry (the log base when there is none). */
  get lastIndex(): number {
    const tail = this.segments[this.segments.length - 1];
    return tail ? Math.max(tail.lastIndex, this.base.index) : this.base.index;
  }

  /** Flushes and closes the files; they are closed even when the flush fails (its error is thrown then). */
  close(): void {
    if (this.closed) return;
    try {
      if (this.unsyncedHardState && !this.failure) this.flush();
      if (!this.failure) {
        const tail = this.tail();
        if (tail) {
          tail.trim();
          tail.sync();
        }
      }
    } finally {
      this.closed = true;
      for (const s of this.segments) s.close();
      this.hardState?.close();
    }
  }

  // ------------------------------------------------------------------ recovery

  private recover(): PersistedState {
    this.unsyncedHardState = undefined;
    for (const s of this.segments) s.close();
    this.hardState?.close();
    this.segments = [];
    this.snap = undefined;
    let dirChanged = false;

    const names = fs.readdirSync(this.dir);
    for (const n of names) {
      if (n.endsWith(SNAPSHOT_TMP_SUFFIX) && parseSnapshotFileName(n.slice(0, -SNAPSHOT_TMP_SUFFIX.length))) {
        fs.unlinkSync(path.join(this.dir, n));
        this.recoveryNotes.push(`removed the incomplete snapshot ${n}`);
        dirChanged = true;
      }
    }
    const segFirsts = names
      .map((n) => SegmentFile.parseName(n))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b);
    const snapNames = names
      .filter((n) => parseSnapshotFileName(n))
      .sort((a, b) => {
        const x = parseSnapshotFileName(a)!;
        const y = parseSnapshotFileName(b)!;
        return x.index - y.index || x.term - y.term;
      });
    if (!HardStateFile.exists(this.dir) && (segFirsts.length || snapNames.length)) {
      throw new RaftStorageCorruptError(
        `raft storage in ${this.dir} has ${segFirsts.length} log segment(s) and ${snapNames.length} snapshot(s) but no hard-state file`,
      );
    }
    this.hardState = HardStateFile.open(this.dir, this.recoveryNotes);
    let stored: StoredHardState = this.hardState.state;
    let base = { ...stored.logBase };

    // The newest snapshot wins (it was durable before it got its name); older ones are leftovers.
    let snapshot: Snapshot | undefined;
    if (snapNames.length) {
      const name = snapNames[snapNames.length - 1];
      snapshot = readSnapshotFile(this.dir, name);
      this.snap = { name, index: snapshot.meta.index, term: snapshot.meta.term };
      for (const old of snapNames.slice(0, -1)) {
        fs.unlinkSync(path.join(this.dir, old));
        dirChanged = true;
      }
    }

    // Segments entirely at or before the log base are dropped unread (the next one starts at or
    // before base + 1); the rest are read and checked.
    const loaded: { seg: SegmentFile; entries: Entry[] }[] = [];
    for (let i = 0; i < segFirsts.length; i++) {
      const last = i === segFirsts.length - 1;
      if (!last && segFirsts[i + 1] <= base.index + 1) {
        fs.unlinkSync(path.join(this.dir, SegmentFile.fileName(segFirsts[i])));
        dirChanged = true;
        continue;
      }
      const r = SegmentFile.load(this.dir, segFirsts[i], last, this.preallocate);
      if (r.torn) {
        this.recoveryNotes.push(
          `${r.segment.name}: cut a torn tail at offset ${r.torn.offset} (${r.torn.problem}, ${r.torn.droppedBytes} bytes dropped); ` +
            `the segment now ends at index ${r.segment.lastIndex}`,
        );
      }
      loaded.push({ seg: r.segment, entries: r.entries });
    }
    // Empty segments (a crash right after a roll, or a torn tail that was the whole file) and a
    // tail segment entirely at or before the base are deleted.
    for (let i = loaded.length - 1; i >= 0; i--) {
      const { seg } = loaded[i];
      if (seg.count === 0 || seg.lastIndex <= base.index) {
        seg.remove();
        loaded.splice(i, 1);
        dirChanged = true;
      }
    }
    for (let i = 1; i < loaded.length; i++) {
      const prev = loaded[i - 1].seg;
      const seg = loaded[i].seg;
      if (seg.firstIndex !== prev.lastIndex + 1) {
        throw new RaftStorageCorruptError(
          `raft log corrupt: gap between ${prev.name} (ends at index ${prev.lastIndex}) and ${seg.name} (starts at ${seg.firstIndex})`,
          seg.name,
          0,
        );
      }
    }
    if (loaded.length) {
      const first = loaded[0];
      if (first.seg.firstIndex > base.index + 1) {
        throw new RaftStorageCorruptError(
          `raft log corrupt: ${first.seg.name} starts at index ${first.seg.firstIndex} but the log base is ${base.index}`,
          first.seg.name,
          0,
        );
      }
      if (base.index >= first.seg.firstIndex) {
        const at = first.entries[base.index - first.seg.firstIndex];
        if (at.term !== base.term) {
          throw new RaftStorageCorruptError(
            `raft log corrupt: ${first.seg.name} holds index ${base.index} with term ${at.term} but the log base has term ${base.term}`,
            first.seg.name,
          );
        }
      }
    }
    this.segments = loaded.map((l) => l.seg);
    let entries: Entry[] = [];
    for (const l of loaded) {
      for (const e of l.entries) if (e.index > base.index) entries.push(e);
    }

    // A snapshot beyond the base whose entry the log lacks (or holds with another term) is an
    // install a crash interrupted: finish it, as RaftNode would, by dropping the log.
    if (snapshot && snapshot.meta.index > base.index) {
      const at = entries[snapshot.meta.index - base.index - 1];
      if (!at || at.term !== snapshot.meta.term) {
        for (let i = this.segments.length - 1; i >= 0; i--) this.segments[i].remove();
        this.segments = [];
        fsyncDir(this.dir);
        dirChanged = false;
        base = { index: snapshot.meta.index, term: snapshot.meta.term };
        this.hardState.write({ hardState: stored.hardState, logBase: base });
        stored = this.hardState.state;
        entries = [];
        this.recoveryNotes.push(`finished installing snapshot ${this.snap!.name}: the log now starts after index ${base.index}`);
      }
    }
    if (dirChanged) fsyncDir(this.dir);
    this.base = base;

    const lastIndex = base.index + entries.length;
    const covered = Math.max(lastIndex, snapshot?.meta.index ?? 0);
    if (stored.hardState.commit > covered) {
      this.recoveryNotes.push(
        `the hard state's commit index ${stored.hardState.commit} is beyond the stored log (last index ${lastIndex}): committed entries were lost`,
      );
    }
    const st: PersistedState = { hardState: { ...stored.hardState }, logBase: { ...base }, entries };
    if (snapshot) st.snapshot = snapshot;
    return st;
  }

  // ------------------------------------------------------------------ writing

  private checkUsable(): void {
    if (this.closed) throw new Error(`raft storage in ${this.dir} is closed`);
    if (this.failure) {
      throw new Error(`raft storage in ${this.dir} failed earlier and must be reopened: ${this.failure.message}`);
    }
  }

  private tail(): SegmentFile | undefined {
    return this.segments[this.segments.length - 1];
  }

  /** Replaces the whole log by `snap` (whose file is written first). */
  private installSnapshot(snap: Snapshot, entriesFollow: boolean): void {
    this.putSnapshotFile(snap);
    // Newest segment first: a crash in between leaves a prefix of the old log.
    if (this.segments.length) {
      for (let i = this.segments.length - 1; i >= 0; i--) this.segments[i].remove();
      this.segments = [];
      fsyncDir(this.dir);
    }
    this.base = { index: snap.meta.index, term: snap.meta.term };
    // New entries will start a segment at base + 1: the hard state must know the base first.
    if (entriesFollow) this.hardState.write({ hardState: this.hardState.state.hardState, logBase: this.base });
    this.deleteOtherSnapshots();
  }

  private putSnapshotFile(snap: Snapshot): void {
    const name = writeSnapshotFile(this.dir, snap);
    this.snap = { name, index: snap.meta.index, term: snap.meta.term };
  }

  private deleteOtherSnapshots(): void {
    for (const n of fs.readdirSync(this.dir)) {
      if (n !== this.snap?.name && parseSnapshotFileName(n)) fs.unlinkSync(path.join(this.dir, n));
    }
  }

  /** Rejects a Ready that cannot apply to the stored log, before anything is written. */
  private validate(rd: RaftSave): void {
    const { entries } = rd;
    if (!entries.length) return;
    const first = entries[0].index;
    for (let i = 1; i < entries.length; i++) {
      if (entries[i].index !== first + i) throw new Error(`raft storage: entries are not consecutive at index ${entries[i].index}`);
    }
    const base = rd.snapshot ? rd.snapshot.meta.index : this.base.index;
    const last = rd.snapshot ? base : this.lastIndex;
    if (first <= base) throw new Error(`raft storage: cannot write index ${first} at or before the log base ${base}`);
    if (first > last + 1) throw new Error(`raft storage: cannot write index ${first}, the log ends at ${last}`);
  }

  /** Truncates the stored suffix at entries[0].index, appends, rolls segments, fsyncs once. */
  private append(entries: Entry[]): void {
    const first = entries[0].index;
    const last = this.lastIndex;
    let created = false;
    if (first <= last) {
      // Whole segments after the cut go first (and durably), so the cut never leaves a gap.
      let removed = false;
      while (this.tail() && this.tail()!.firstIndex > first) {
        this.segments.pop()!.remove();
        removed = true;
      }
      if (removed) fsyncDir(this.dir);
      // Durable before new records go in: otherwise a crash could leave old records after new
      // ones, which recovery would rightly take for damage in the middle of the log.
      const tail = this.tail();
      if (tail) {
        tail.truncateFrom(first);
        tail.sync();
      }
    }
    let i = 0;
    while (i < entries.length) {
      let tail = this.tail();
      if (!tail || (tail.count > 0 && tail.size >= this.segmentBytes)) {
        if (tail) {
          // The full segment must be durable (and hold nothing but records) before a later one exists.
          tail.trim();
          tail.sync();
          tail.close();
        }
        tail = SegmentFile.create(this.dir, entries[i].index, this.preallocate);
        this.segments.push(tail);
        created = true;
      }
      let j = i;
      let size = tail.size;
      while (j < entries.length && size < this.segmentBytes) size += recordSize(entries[j++]);
      tail.append(j === entries.length && i === 0 ? entries : entries.slice(i, j));
      i = j;
    }
    for (const s of this.segments) s.sync();
    if (created) fsyncDir(this.dir);
  }

  /** Deletes segments entirely at or before the base; returns whether any was deleted. */
  private dropCompacted(): boolean {
    let dropped = false;
    while (this.segments.length && this.segments[0].lastIndex <= this.base.index) {
      this.segments.shift()!.remove();
      dropped = true;
    }
    return dropped;
  }
}
