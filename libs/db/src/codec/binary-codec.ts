/**
 * The byte-level writer and reader shared by Cubed's own binary formats (replicated transactions,
 * forwarded query results): unsigned LEB128 varints up to 2^53 - 1, little-endian float64 and i64,
 * length-prefixed UTF-8 text and bytes, and the tagged SQL values below.
 *
 * SQL value tags:
 *   0 null
 *   1 non-negative safe integer: varint value
 *   2 negative safe integer: varint of its magnitude
 *   3 float64 (little-endian; also -0, NaN, ±Infinity and every non-integer number)
 *   4 bigint, as a little-endian two's-complement i64 (SQLite's integer range)
 *   5 text: varint byte length, UTF-8
 *   6 blob: varint byte length, bytes
 * Formats may define further tags of their own from 16 up.
 */

/** A value SQLite can store and better-sqlite3 can bind (booleans are stored as 1 / 0). */
export type SqlValue = null | number | bigint | string | Uint8Array | boolean;

/** The input does not follow the format. */
export class BinaryDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BinaryDecodeError';
  }
}

export const enum ValueTag {
  Null = 0,
  UInt = 1,
  NegInt = 2,
  Float = 3,
  BigInt = 4,
  Text = 5,
  Blob = 6,
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const TWO_7 = 128;
// A lone high surrogate not followed by a low one, or a lone low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export class BinaryWriter {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }

  varint(v: number): void {
    this.reserve(8);
    while (v >= TWO_7) {
      this.buf[this.length++] = (v % TWO_7) | 0x80;
      v = Math.floor(v / TWO_7);
    }
    this.buf[this.length++] = v;
  }

  float(v: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }

  i64(v: bigint): void {
    this.reserve(8);
    this.buf.writeBigInt64LE(v, this.length);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** `what` names the value in the error for text UTF-8 cannot carry. */
  text(s: string, what: string): void {
    if (LONE_SURROGATE.test(s)) throw new RangeError(`${what} has an unpaired UTF-16 surrogate and cannot be stored as UTF-8`);
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.reserve(n);
    this.buf.write(s, this.length, n, 'utf8');
    this.length += n;
  }

  /** One tagged SQL value; `where` names it in errors. */
  value(p: SqlValue, where: string): void {
    if (p === null) {
      this.u8(ValueTag.Null);
    } else if (typeof p === 'boolean') {
      this.u8(ValueTag.UInt);
      this.varint(p ? 1 : 0);
    } else if (typeof p === 'number') {
      if (Number.isSafeInteger(p) && !Object.is(p, -0)) {
        if (p >= 0) {
          this.u8(ValueTag.UInt);
          this.varint(p);
        } else {
          this.u8(ValueTag.NegInt);
          this.varint(-p);
        }
      } else {
        this.u8(ValueTag.Float);
        this.float(p);
      }
    } else if (typeof p === 'bigint') {
      if (p < I64_MIN || p > I64_MAX) throw new RangeError(`${where} bigint ${p} is outside SQLite's 64-bit integer range`);
      this.u8(ValueTag.BigInt);
      this.i64(p);
    } else if (typeof p === 'string') {
      this.u8(ValueTag.Text);
      this.text(p, where);
    } else if (p instanceof Uint8Array) {
      this.u8(ValueTag.Blob);
      this.bytes(p);
    } else {
      throw new TypeError(`${where} has unsupported type ${describeType(p)}`);
    }
  }

  finish(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length).slice();
  }
}

export class BinaryReader {
  private pos = 0;
  private readonly buf: Buffer;

  constructor(data: Uint8Array) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }

  get position(): number {
    return this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new BinaryDecodeError(`truncated at byte ${this.pos} (needs ${n} more of ${this.buf.length})`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= TWO_7;
      if (i >= 7) throw new BinaryDecodeError(`varint too long at byte ${this.pos}`);
    }
    if (!Number.isSafeInteger(v)) throw new BinaryDecodeError(`varint ${v} beyond 2^53 at byte ${this.pos}`);
    return v;
  }

  float(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A copy of the bytes: never aliases the input. */
  bytes(): Buffer {
    const n = this.varint();
    this.need(n);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  text(): string {
    const n = this.varint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** The SQL value of `tag` (read by the caller, who may handle tags of its own first). */
  valueOf(tag: number, where: string): SqlValue {
    switch (tag) {
      case ValueTag.Null:
        return null;
      case ValueTag.UInt:
        return this.varint();
      case ValueTag.NegInt:
        return -this.varint();
      case ValueTag.Float:
        return this.float();
      case ValueTag.BigInt:
        return this.i64();
      case ValueTag.Text:
        return this.text();
      case ValueTag.Blob:
        return this.bytes();
      default:
        throw new BinaryDecodeError(`unknown value tag ${tag} in ${where}`);
    }
  }

  value(where: string): SqlValue {
    return this.valueOf(this.u8(), where);
  }
}

export function describeType(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
