/**
 * Small synchronous file helpers shared by the Raft storage files: fsync of a directory,
 * writes that never stop short, and 64-bit integers stored as two little-endian u32 halves.
 */
import * as fs from 'node:fs';

const TWO_32 = 0x1_0000_0000;

/** Makes creations, renames and deletions of entries of `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes all of `buf[offset, offset+length)` at `position` (fs.writeSync may write less than asked). */
export function writeFully(fd: number, buf: Uint8Array, position: number, offset = 0, length = buf.length - offset): void {
  while (length > 0) {
    const n = fs.writeSync(fd, buf, offset, length, position);
    offset += n;
    length -= n;
    position += n;
  }
}

/** Reads exactly `length` bytes at `position` into `buf[offset..]`; returns how many were available. */
export function readFully(fd: number, buf: Uint8Array, position: number, offset = 0, length = buf.length - offset): number {
  let total = 0;
  while (total < length) {
    const n = fs.readSync(fd, buf, offset + total, length - total, position + total);
    if (n === 0) break;
    total += n;
  }
  return total;
}

/** Writes a non-negative safe integer as u64 (low half first). */
export function writeU64(buf: Buffer, value: number, offset: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`raft storage: ${value} is not a u64 index`);
  buf.writeUInt32LE(value % TWO_32, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
}

/** Reads a u64 written by writeU64; values above 2^53 come back inexact (and fail isSafeInteger). */
export function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * TWO_32;
}

/** Removes a file if present. */
export function unlinkIfExists(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Creates `file`, lets `write` fill it through its descriptor, and fsyncs it;
 * on failure the file is removed.
 */
export function writeNewFileDurably(file: string, write: (fd: number) => void, mode = 0o600): void {
  const fd = fs.openSync(file, 'w', mode);
  try {
    write(fd);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
}

/** Writes `buf` to a new file at `file` and fsyncs it; on failure the file is removed. */
export function writeFileDurably(file: string, buf: Uint8Array): void {
  writeNewFileDurably(file, (fd) => writeFully(fd, buf, 0));
}
