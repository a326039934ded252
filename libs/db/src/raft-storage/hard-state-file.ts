/**
 * The hard-state file `hardstate.bin`: term, vote, commit and the log base (index and term of
 * the entry before the first stored entry). It holds two checksummed slots, written alternately
 * in place; each write is one pwrite plus one fsync. A write torn by a crash damages only the slot
 * being written, and the other slot still holds the previous (last acknowledged) state. The
 * sequence number tells which slot is newer, and its parity says which slot it belongs in.
 *
 * The file is created once, atomically (temp file, fsync, rename, fsync of the directory).
 *
 * Slot layout (little-endian): magic u32, version u32, seq u64, term u64, vote u64, commit u64,
 * baseIndex u64, baseTerm u64, crc32 u32 of the preceding 56 bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { HardState } from '@app/raft';
import { RaftStorageCorruptError } from './errors';
import { fsyncDir, readFully, readU64, unlinkIfExists, writeFully, writeU64 } from './fs-util';

export const HARD_STATE_FILE = 'hardstate.bin';
const MAGIC = 0x31534852; // "RHS1"
const VERSION = 1;
const SLOT_BYTES = 512;
const BODY_BYTES = 56;
const RECORD_BYTES = BODY_BYTES + 4;

export interface StoredHardState {
  hardState: HardState;
  logBase: { index: number; term: number };
}

export const EMPTY_HARD_STATE: StoredHardState = {
  hardState: { term: 0, vote: 0, commit: 0 },
  logBase: { index: 0, term: 0 },
};

type SlotRead = { ok: true; seq: number; state: StoredHardState } | { ok: false; problem: string };

function encodeSlot(seq: number, s: StoredHardState): Buffer {
  const buf = Buffer.alloc(RECORD_BYTES);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(VERSION, 4);
  writeU64(buf, seq, 8);
  writeU64(buf, s.hardState.term, 16);
  writeU64(buf, s.hardState.vote, 24);
  writeU64(buf, s.hardState.commit, 32);
  writeU64(buf, s.logBase.index, 40);
  writeU64(buf, s.logBase.term, 48);
  buf.writeUInt32LE(crc32(buf.subarray(0, BODY_BYTES)), BODY_BYTES);
  return buf;
}

function decodeSlot(buf: Buffer, slot: number): SlotRead {
  const at = slot * SLOT_BYTES;
  if (buf.length < at + RECORD_BYTES) return { ok: false, problem: 'short file' };
  const rec = buf.subarray(at, at + RECORD_BYTES);
  if (crc32(rec.subarray(0, BODY_BYTES)) !== rec.readUInt32LE(BODY_BYTES)) return { ok: false, problem: 'checksum mismatch' };
  if (rec.readUInt32LE(0) !== MAGIC) return { ok: false, problem: 'bad magic' };
  if (rec.readUInt32LE(4) !== VERSION) return { ok: false, problem: `unsupported version ${rec.readUInt32LE(4)}` };
  const seq = readU64(rec, 8);
  if (seq % 2 !== slot) return { ok: false, problem: `sequence ${seq} does not belong in slot ${slot}` };
  return {
    ok: true,
    seq,
    state: {
      hardState: { term: readU64(rec, 16), vote: readU64(rec, 24), commit: readU64(rec, 32) },
      logBase: { index: readU64(rec, 40), term: readU64(rec, 48) },
    },
  };
}

export class HardStateFile {
  private constructor(
    private readonly file: string,
    private fd: number | undefined,
    private seq: number,
    private current: StoredHardState,
  ) {}

  /** The last written (or loaded) state. */
  get state(): StoredHardState {
    return this.current;
  }

  /** Whether `dir` has a hard-state file. */
  static exists(dir: string): boolean {
    return fs.existsSync(path.join(dir, HARD_STATE_FILE));
  }

  /**
   * Opens the file, creating it with `EMPTY_HARD_STATE` if missing. `notes` receives a line when
   * one slot is unreadable and the other is used. Throws RaftStorageCorruptError if neither slot
   * is valid.
   */
  static open(dir: string, notes: string[]): HardStateFile {
    const file = path.join(dir, HARD_STATE_FILE);
    const tmp = `${file}.tmp`;
    unlinkIfExists(tmp);
    if (!fs.existsSync(file)) {
      const fd = fs.openSync(tmp, 'wx');
      try {
        writeFully(fd, encodeSlot(0, EMPTY_HARD_STATE), 0);
        writeFully(fd, encodeSlot(1, EMPTY_HARD_STATE), SLOT_BYTES);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
      fsyncDir(dir);
    }
    const fd = fs.openSync(file, 'r+');
    try {
      const buf = Buffer.alloc(2 * SLOT_BYTES);
      const n = readFully(fd, buf, 0);
      const data = buf.subarray(0, n);
      const slots = [decodeSlot(data, 0), decodeSlot(data, 1)];
      const valid = slots.flatMap((s, i) => (s.ok ? [{ ...s, slot: i }] : []));
      if (valid.length === 0) {
        const why = slots.map((s, i) => `slot ${i} at offset ${i * SLOT_BYTES}: ${s.ok ? 'ok' : s.problem}`).join('; ');
        throw new RaftStorageCorruptError(`raft hard state corrupt in ${HARD_STATE_FILE}: no valid copy (${why})`, HARD_STATE_FILE, 0);
      }
      const best = valid.reduce((a, b) => (b.seq > a.seq ? b : a));
      const other = slots[1 - best.slot];
      if (!other.ok) {
        notes.push(
          `${HARD_STATE_FILE}: slot ${1 - best.slot} at offset ${(1 - best.slot) * SLOT_BYTES} is unreadable (${other.problem}); ` +
            `using slot ${best.slot} (sequence ${best.seq})`,
        );
      }
      return new HardStateFile(file, fd, best.seq, best.state);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** Writes `s` durably (one pwrite into the older slot, one fsync); a no-op if unchanged. */
  write(s: StoredHardState): void {
    if (sameStoredHardState(s, this.current)) return;
    if (this.fd === undefined) throw new Error('raft storage: hard-state file is closed');
    const seq = this.seq + 1;
    writeFully(this.fd, encodeSlot(seq, s), (seq % 2) * SLOT_BYTES);
    fs.fsyncSync(this.fd);
    this.seq = seq;
    this.current = { hardState: { ...s.hardState }, logBase: { ...s.logBase } };
  }

  close(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      fs.closeSync(fd);
    }
  }

  get path(): string {
    return this.file;
  }
}

export function sameStoredHardState(a: StoredHardState, b: StoredHardState): boolean {
  return (
    a.hardState.term === b.hardState.term &&
    a.hardState.vote === b.hardState.vote &&
    a.hardState.commit === b.hardState.commit &&
    a.logBase.index === b.logBase.index &&
    a.logBase.term === b.logBase.term
  );
}
