/**
 * The log record codec. A record is
 *
 *   [u32 length][u32 crc32(payload)][payload]
 *   payload = [u64 index][u64 term][u8 type][data...]
 *
 * all little-endian, where `length` is the payload length. Records are self-delimiting and
 * self-checking, so a torn write at the end of a segment shows up as a short or bad record.
 */
import { crc32 } from 'node:zlib';
import type { Entry, EntryType } from '@app/raft';
import { readU64, writeU64 } from './fs-util';

export const RECORD_HEADER_BYTES = 8;
/** index + term + type. */
export const PAYLOAD_FIXED_BYTES = 17;
/** Sanity bound on one entry: anything larger is treated as a damaged length field. */
export const MAX_PAYLOAD_BYTES = 1 << 30;

export function recordSize(e: Entry): number {
  return RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES + e.data.length;
}

/** Encodes `e` into `buf` at `offset`; returns the offset after the record. */
export function encodeRecordInto(buf: Buffer, offset: number, e: Entry): number {
  const payloadStart = offset + RECORD_HEADER_BYTES;
  const payloadLen = PAYLOAD_FIXED_BYTES + e.data.length;
  writeU64(buf, e.index, payloadStart);
  writeU64(buf, e.term, payloadStart + 8);
  buf.writeUInt8(e.type, payloadStart + 16);
  buf.set(e.data, payloadStart + PAYLOAD_FIXED_BYTES);
  buf.writeUInt32LE(payloadLen, offset);
  buf.writeUInt32LE(crc32(buf.subarray(payloadStart, payloadStart + payloadLen)), offset + 4);
  return payloadStart + payloadLen;
}

/** Encodes consecutive entries into one buffer (one write for a whole Ready). */
export function encodeRecords(entries: readonly Entry[]): Buffer {
  let total = 0;
  for (const e of entries) total += recordSize(e);
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) at = encodeRecordInto(buf, at, e);
  return buf;
}

export type RecordProblem = 'short header' | 'bad length' | 'short record' | 'checksum mismatch';

export type DecodedRecord = { ok: true; entry: Entry; size: number } | { ok: false; problem: RecordProblem };

/** Decodes the record at `offset` of `buf[0, end)`. The entry's data is copied out of `buf`. */
export function decodeRecordAt(buf: Buffer, offset: number, end = buf.length): DecodedRecord {
  if (end - offset < RECORD_HEADER_BYTES) return { ok: false, problem: 'short header' };
  const len = buf.readUInt32LE(offset);
  if (len < PAYLOAD_FIXED_BYTES || len > MAX_PAYLOAD_BYTES) return { ok: false, problem: 'bad length' };
  const payloadStart = offset + RECORD_HEADER_BYTES;
  if (end - payloadStart < len) return { ok: false, problem: 'short record' };
  const payload = buf.subarray(payloadStart, payloadStart + len);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return { ok: false, problem: 'checksum mismatch' };
  return {
    ok: true,
    size: RECORD_HEADER_BYTES + len,
    entry: {
      index: readU64(payload, 0),
      term: readU64(payload, 8),
      type: payload.readUInt8(16) as EntryType,
      data: new Uint8Array(payload.subarray(PAYLOAD_FIXED_BYTES)),
    },
  };
}

/**
 * Looks for a valid record starting anywhere in `buf(from, end)` whose index is at least
 * `minIndex` — evidence that a bad record is damage in the middle of the log rather than a torn
 * tail. Cheap checks (length and index range) come before the checksum, so a scan of a large
 * tail stays fast. Returns the record's offset or -1.
 */
export function findValidRecordAfter(buf: Buffer, from: number, end: number, minIndex: number): number {
  const minRecord = RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES;
  // A record found at p holds an index at most minIndex + (records that fit before p).
  const maxIndex = minIndex + Math.ceil((end - from) / minRecord);
  for (let p = from + 1; p + minRecord <= end; p++) {
    const len = buf.readUInt32LE(p);
    if (len < PAYLOAD_FIXED_BYTES || len > end - p - RECORD_HEADER_BYTES) continue;
    const index = readU64(buf, p + RECORD_HEADER_BYTES);
    if (index < minIndex || index > maxIndex) continue;
    const r = decodeRecordAt(buf, p, end);
    if (r.ok) return p;
  }
  return -1;
}
