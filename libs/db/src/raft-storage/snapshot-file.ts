/**
 * Snapshot files: `snapshot-<20-digit index>-<20-digit term>.bin`, holding
 *
 *   header (32 bytes, little-endian): magic u32, version u32, metaLength u32, reserved u32,
 *          dataLength u64, crc32(data) u32, crc32(header bytes 0..28 + meta) u32
 *   meta   JSON of the SnapshotMeta
 *   data   the application snapshot
 *
 * A snapshot is written under a temporary name in chunks, fsync'd, renamed into place and the
 * directory fsync'd, so a file with the final name is always complete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Snapshot, SnapshotMeta } from '@app/raft';
import { RaftStorageCorruptError } from './errors';
import { fsyncDir, readFully, readU64, writeFully, writeNewFileDurably, writeU64 } from './fs-util';

const MAGIC = 0x314e5352; // "RSN1"
const VERSION = 1;
const HEADER_BYTES = 32;
/** Snapshot data is written and read in pieces of this size. */
export const SNAPSHOT_CHUNK_BYTES = 1 << 20;
const NAME = /^snapshot-(\d{20})-(\d{20})\.bin$/;
export const SNAPSHOT_TMP_SUFFIX = '.tmp';

export function snapshotFileName(index: number, term: number): string {
  return `snapshot-${String(index).padStart(20, '0')}-${String(term).padStart(20, '0')}.bin`;
}

export function parseSnapshotFileName(name: string): { index: number; term: number } | undefined {
  const m = NAME.exec(name);
  return m ? { index: Number(m[1]), term: Number(m[2]) } : undefined;
}

/** Writes `snap` durably into `dir`; returns the file's base name. */
export function writeSnapshotFile(dir: string, snap: Snapshot): string {
  const name = snapshotFileName(snap.meta.index, snap.meta.term);
  const tmp = path.join(dir, name + SNAPSHOT_TMP_SUFFIX);
  const meta = Buffer.from(JSON.stringify({ index: snap.meta.index, term: snap.meta.term, membership: snap.meta.membership }));
  const data = snap.data;
  writeNewFileDurably(
    tmp,
    (fd) => {
      let pos = HEADER_BYTES;
      writeFully(fd, meta, pos);
      pos += meta.length;
      let dataCrc = 0;
      for (let off = 0; off < data.length; off += SNAPSHOT_CHUNK_BYTES) {
        const len = Math.min(SNAPSHOT_CHUNK_BYTES, data.length - off);
        dataCrc = crc32(data.subarray(off, off + len), dataCrc);
        writeFully(fd, data, pos, off, len);
        pos += len;
      }
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt32LE(MAGIC, 0);
      header.writeUInt32LE(VERSION, 4);
      header.writeUInt32LE(meta.length, 8);
      header.writeUInt32LE(0, 12);
      writeU64(header, data.length, 16);
      header.writeUInt32LE(dataCrc, 24);
      header.writeUInt32LE(crc32(meta, crc32(header.subarray(0, 28))), 28);
      writeFully(fd, header, 0);
    },
    0o666,
  );
  fs.renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
  return name;
}

/** Reads and verifies a snapshot file; throws RaftStorageCorruptError on any damage. */
export function readSnapshotFile(dir: string, name: string): Snapshot {
  const corrupt = (offset: number, what: string): RaftStorageCorruptError =>
    new RaftStorageCorruptError(`raft snapshot corrupt in ${name} at offset ${offset}: ${what}`, name, offset);
  const fd = fs.openSync(path.join(dir, name), 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.alloc(HEADER_BYTES);
    if (readFully(fd, header, 0) < HEADER_BYTES) throw corrupt(0, 'short header');
    if (header.readUInt32LE(0) !== MAGIC) throw corrupt(0, 'bad magic');
    if (header.readUInt32LE(4) !== VERSION) throw corrupt(4, `unsupported version ${header.readUInt32LE(4)}`);
    const metaLen = header.readUInt32LE(8);
    const dataLen = readU64(header, 16);
    if (HEADER_BYTES + metaLen + dataLen !== size) {
      throw corrupt(8, `header says ${metaLen} meta + ${dataLen} data bytes but the file holds ${size - HEADER_BYTES}`);
    }
    const meta = Buffer.alloc(metaLen);
    readFully(fd, meta, HEADER_BYTES);
    if (crc32(meta, crc32(header.subarray(0, 28))) !== header.readUInt32LE(28)) throw corrupt(0, 'header checksum mismatch');
    let parsed: SnapshotMeta;
    try {
      parsed = JSON.parse(meta.toString('utf8')) as SnapshotMeta;
    } catch {
      throw corrupt(HEADER_BYTES, 'meta is not JSON');
    }
    const named = parseSnapshotFileName(name);
    if (named && (named.index !== parsed.index || named.term !== parsed.term)) {
      throw corrupt(HEADER_BYTES, `meta says index ${parsed.index} term ${parsed.term}, unlike the file name`);
    }
    const data = new Uint8Array(dataLen);
    const dataStart = HEADER_BYTES + metaLen;
    let dataCrc = 0;
    for (let off = 0; off < dataLen; off += SNAPSHOT_CHUNK_BYTES) {
      const len = Math.min(SNAPSHOT_CHUNK_BYTES, dataLen - off);
      readFully(fd, data, dataStart + off, off, len);
      dataCrc = crc32(data.subarray(off, off + len), dataCrc);
    }
    if (dataCrc !== header.readUInt32LE(24)) throw corrupt(dataStart, 'data checksum mismatch');
    return { meta: { index: parsed.index, term: parsed.term, membership: parsed.membership }, data };
  } finally {
    fs.closeSync(fd);
  }
}
