/**
 * One log segment: `log-<20-digit index of its first entry>.seg`, a sequence of records (see
 * record-codec.ts) for consecutive indexes. The segment keeps the byte offset of every record in
 * memory, so truncating the log at an index is one lookup and one ftruncate.
 *
 * The file is kept zero-filled some way past its last record (`preallocate` bytes at a time), so
 * that most appends overwrite bytes the file already has: their sync is an fdatasync that need
 * not commit a new file size. Zeros are never a valid record, so a zero-filled tail reads as the
 * end of the segment; a segment is trimmed to its records when it is rolled or closed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Entry } from '@app/raft';
import { RaftStorageCorruptError } from './errors';
import { writeFully } from './fs-util';
import { decodeRecordAt, encodeRecords, findValidRecordAfter, recordSize } from './record-codec';

const NAME = /^log-(\d{20})\.seg$/;

/** What loading a segment found and repaired. */
export interface SegmentLoad {
  segment: SegmentFile;
  entries: Entry[];
  /** Set when a torn tail was cut off. */
  torn?: { offset: number; problem: string; droppedBytes: number };
}

export class SegmentFile {
  /** Byte offset of each record; record i holds index firstIndex + i. */
  private offsets: number[] = [];
  private fd?: number;
  private bytes = 0;
  /** Length of the file: records, then zeros. */
  private allocated = 0;
  /** Written or truncated since the last sync. */
  private dirty = false;
  /** The file's length changed since the last sync (the sync must be a full fsync). */
  private resized = false;

  private constructor(
    readonly dir: string,
    readonly firstIndex: number,
    private readonly preallocate: number,
  ) {}

  static fileName(firstIndex: number): string {
    return `log-${String(firstIndex).padStart(20, '0')}.seg`;
  }

  /** The first index encoded in a segment file name, or undefined for other files. */
  static parseName(name: string): number | undefined {
    const m = NAME.exec(name);
    return m ? Number(m[1]) : undefined;
  }

  get name(): string {
    return SegmentFile.fileName(this.firstIndex);
  }

  get path(): string {
    return path.join(this.dir, this.name);
  }

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.offsets.length;
  }

  /** Index of the last record; firstIndex - 1 when empty. */
  get lastIndex(): number {
    return this.firstIndex + this.offsets.length - 1;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  /** Creates a new empty segment file (the caller fsyncs the directory). */
  static create(dir: string, firstIndex: number, preallocate = 0): SegmentFile {
    const seg = new SegmentFile(dir, firstIndex, preallocate);
    seg.fd = fs.openSync(seg.path, 'wx+');
    seg.dirty = true;
    seg.resized = true;
    return seg;
  }

  /**
   * Reads and checks a segment. A bad record followed by nothing valid is a torn write: in the
   * last segment (`last`) it is cut off (and fsync'd); anywhere else it, like any other damage,
   * throws RaftStorageCorruptError naming the file and byte offset.
   */
  static load(dir: string, firstIndex: number, last: boolean, preallocate = 0): SegmentLoad {
    const seg = new SegmentFile(dir, firstIndex, preallocate);
    const buf = fs.readFileSync(seg.path);
    seg.allocated = buf.length;
    const entries: Entry[] = [];
    let at = 0;
    while (at < buf.length) {
      const expected = firstIndex + entries.length;
      const r = decodeRecordAt(buf, at);
      if (!r.ok && allZero(buf, at)) {
        // The preallocated zeros after the last record: the end of the segment, nothing torn.
        seg.bytes = at;
        if (!last) seg.trim();
        return { segment: seg, entries };
      }
      if (!r.ok) {
        const later = findValidRecordAfter(buf, at, buf.length, expected);
        if (!last || later >= 0) {
          const why = later >= 0 ? `; a valid record follows at offset ${later}` : ' in a segment that is not the last';
          throw new RaftStorageCorruptError(
            `raft log corrupt in ${seg.name} at offset ${at}: ${r.problem} (expected index ${expected})${why}`,
            seg.name,
            at,
          );
        }
        const fd = fs.openSync(seg.path, 'r+');
        try {
          fs.ftruncateSync(fd, at);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        seg.bytes = at;
        seg.allocated = at;
        return { segment: seg, entries, torn: { offset: at, problem: r.problem, droppedBytes: buf.length - at } };
      }
      if (r.entry.index !== expected) {
        throw new RaftStorageCorruptError(
          `raft log corrupt in ${seg.name} at offset ${at}: record holds index ${r.entry.index}, expected ${expected}`,
          seg.name,
          at,
        );
      }
      seg.offsets.push(at);
      entries.push(r.entry);
      at += r.size;
    }
    seg.bytes = at;
    return { segment: seg, entries };
  }

  /** Appends consecutive entries starting at lastIndex + 1 with one write (no fsync). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    if (entries[0].index !== this.lastIndex + 1) {
      throw new Error(`raft storage: ${this.name} cannot append index ${entries[0].index} after ${this.lastIndex}`);
    }
    const buf = encodeRecords(entries);
    const fd = this.open();
    this.dirty = true;
    try {
      writeFully(fd, buf, this.bytes);
      const end = this.bytes + buf.length;
      if (end > this.allocated) {
        this.resized = true;
        if (this.preallocate > 0) writeFully(fd, zeros(this.preallocate), end);
        this.allocated = end + this.preallocate;
      }
    } catch (err) {
      // Leave no partial record behind a failed write (best effort; the store is failed anyway).
      try {
        fs.ftruncateSync(fd, this.bytes);
      } catch {
        /* ignore */
      }
      throw err;
    }
    let at = this.bytes;
    for (const e of entries) {
      this.offsets.push(at);
      at += recordSize(e);
    }
    this.bytes = at;
  }

  /** Drops the records with index >= `index` (firstIndex <= index <= lastIndex + 1). */
  truncateFrom(index: number): void {
    if (index < this.firstIndex || index > this.lastIndex + 1) {
      throw new Error(`raft storage: ${this.name} holds ${this.firstIndex}..${this.lastIndex}, cannot truncate at ${index}`);
    }
    if (index === this.lastIndex + 1) return;
    const offset = this.offsets[index - this.firstIndex];
    fs.ftruncateSync(this.open(), offset);
    this.offsets.length = index - this.firstIndex;
    this.bytes = offset;
    this.allocated = offset;
    this.dirty = true;
    this.resized = true;
  }

  /** Cuts the preallocated zeros off, leaving only the records (no sync). */
  trim(): void {
    if (this.allocated === this.bytes) return;
    fs.ftruncateSync(this.open(), this.bytes);
    this.allocated = this.bytes;
    this.dirty = true;
    this.resized = true;
  }

  /** Makes what was written durable: an fdatasync, or an fsync when the file's length changed. */
  sync(): void {
    if (!this.dirty) return;
    if (this.resized) fs.fsyncSync(this.open());
    else fs.fdatasyncSync(this.open());
    this.dirty = false;
    this.resized = false;
  }

  /** sync() on the thread pool; `done` runs once the data is durable. Nothing may be written meanwhile. */
  syncAsync(done: (err?: Error) => void): void {
    if (!this.dirty) {
      setImmediate(done);
      return;
    }
    const fd = this.open();
    const resized = this.resized;
    const finish = (err: NodeJS.ErrnoException | null): void => {
      if (!err) {
        this.dirty = false;
        this.resized = false;
      }
      done(err ?? undefined);
    };
    if (resized) fs.fsync(fd, finish);
    else fs.fdatasync(fd, finish);
  }

  /** Closes the file descriptor (the segment reopens it on demand). */
  close(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      fs.closeSync(fd);
    }
  }

  /** Closes and deletes the file (the caller fsyncs the directory). */
  remove(): void {
    this.close();
    fs.unlinkSync(this.path);
  }

  private open(): number {
    if (this.fd === undefined) this.fd = fs.openSync(this.path, 'r+');
    return this.fd;
  }
}

let zeroBuffer = Buffer.alloc(0);

function zeros(n: number): Buffer {
  if (zeroBuffer.length < n) zeroBuffer = Buffer.alloc(n);
  return zeroBuffer.subarray(0, n);
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
