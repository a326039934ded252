/**
 * The replication unit of the global database: one SQLite transaction, i.e. an ordered list of SQL
 * statements with positional parameters, carried in the `data` of one Raft log entry.
 *
 * Binary layout (all varints are unsigned LEB128, at most 2^53 - 1):
 *
 *   u8 format version (1)
 *   varint statement count
 *   per statement: varint sql byte length, sql (UTF-8); varint param count; params
 *   per param: u8 tag, then
 *     0 null
 *     1 non-negative safe integer: varint value
 *     2 negative safe integer: varint of its magnitude
 *     3 float64 (little-endian; also -0, NaN, ±Infinity and every non-integer number)
 *     4 bigint, as a little-endian two's-complement i64 (SQLite's integer range)
 *     5 text: varint byte length, UTF-8
 *     6 blob: varint byte length, bytes
 *
 * Every value decodes to exactly the value encoded, with two deliberate normalisations: a boolean
 * becomes the number 1 or 0 (SQLite has no boolean type and better-sqlite3 refuses to bind one),
 * and a blob decodes as a Buffer (a Uint8Array) holding a copy of the bytes. Values that SQLite could
 * not store exactly are refused when encoding, on the proposer, rather than failing on every
 * replica: bigints outside the i64 range and strings with unpaired UTF-16 surrogates (which UTF-8
 * cannot carry).
 */
import { assertReplicable } from './deterministic-sql';

export type SqlParam = null | number | bigint | string | Uint8Array | boolean;

export interface SqlStatement {
  sql: string;
  params: SqlParam[];
}

export interface ReplicatedTx {
  statements: SqlStatement[];
}

/** The encoded entry is damaged or not a replicated transaction. */
export class ReplicatedTxDecodeError extends Error {
  constructor(message: string) {
    super(`replicated tx: ${message}`);
    this.name = 'ReplicatedTxDecodeError';
  }
}

export interface EncodeTxOptions {
  /**
   * Skip the determinism / transaction-control check of every statement (assertReplicable).
   * Only for tests that need to build bad entries on purpose.
   */
  unchecked?: boolean;
}

const FORMAT_VERSION = 1;

const enum Tag {
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

class Writer {
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

  text(s: string, what: string): void {
    if (LONE_SURROGATE.test(s)) throw new RangeError(`replicated tx: ${what} has an unpaired UTF-16 surrogate and cannot be stored as UTF-8`);
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.reserve(n);
    this.buf.write(s, this.length, n, 'utf8');
    this.length += n;
  }

  finish(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length).slice();
  }
}

class Reader {
  private pos = 0;
  private readonly buf: Buffer;

  constructor(data: Uint8Array) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ReplicatedTxDecodeError(`truncated at byte ${this.pos} (needs ${n} more of ${this.buf.length})`);
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
      if (i >= 7) throw new ReplicatedTxDecodeError(`varint too long at byte ${this.pos}`);
    }
    if (!Number.isSafeInteger(v)) throw new ReplicatedTxDecodeError(`varint ${v} beyond 2^53 at byte ${this.pos}`);
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

  bytes(): Buffer {
    const n = this.varint();
    this.need(n);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n)); // a copy: never alias the log entry
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
}

function encodeParam(w: Writer, p: SqlParam, where: string): void {
  if (p === null) {
    w.u8(Tag.Null);
  } else if (typeof p === 'boolean') {
    w.u8(Tag.UInt);
    w.varint(p ? 1 : 0);
  } else if (typeof p === 'number') {
    if (Number.isSafeInteger(p) && !Object.is(p, -0)) {
      if (p >= 0) {
        w.u8(Tag.UInt);
        w.varint(p);
      } else {
        w.u8(Tag.NegInt);
        w.varint(-p);
      }
    } else {
      w.u8(Tag.Float);
      w.float(p);
    }
  } else if (typeof p === 'bigint') {
    if (p < I64_MIN || p > I64_MAX) throw new RangeError(`replicated tx: ${where} bigint ${p} is outside SQLite's 64-bit integer range`);
    w.u8(Tag.BigInt);
    w.i64(p);
  } else if (typeof p === 'string') {
    w.u8(Tag.Text);
    w.text(p, where);
  } else if (p instanceof Uint8Array) {
    w.u8(Tag.Blob);
    w.bytes(p);
  } else {
    throw new TypeError(`replicated tx: ${where} has unsupported type ${describe(p)}`);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/**
 * Encodes a transaction for a Raft entry. Unless `unchecked`, every statement must pass
 * assertReplicable (no non-deterministic functions, no transaction control): the proposer is the
 * place to refuse them, since once committed an entry is applied on every replica as it is.
 */
export function encodeTx(tx: ReplicatedTx, opts: EncodeTxOptions = {}): Uint8Array {
  if (!tx || !Array.isArray(tx.statements)) throw new TypeError('replicated tx: statements must be an array');
  const w = new Writer();
  w.u8(FORMAT_VERSION);
  w.varint(tx.statements.length);
  tx.statements.forEach((st, i) => {
    if (typeof st?.sql !== 'string') throw new TypeError(`replicated tx: statement ${i} has no sql string`);
    if (!Array.isArray(st.params)) throw new TypeError(`replicated tx: statement ${i} params must be an array`);
    if (!opts.unchecked) assertReplicable(st.sql);
    w.text(st.sql, `statement ${i} sql`);
    w.varint(st.params.length);
    st.params.forEach((p, j) => encodeParam(w, p, `statement ${i} param ${j + 1}`));
  });
  return w.finish();
}

/** Decodes an entry written by encodeTx; throws ReplicatedTxDecodeError on anything malformed. */
export function decodeTx(data: Uint8Array): ReplicatedTx {
  const r = new Reader(data);
  const version = r.u8();
  if (version !== FORMAT_VERSION) throw new ReplicatedTxDecodeError(`unknown format version ${version}`);
  const count = r.varint();
  const statements: SqlStatement[] = [];
  for (let i = 0; i < count; i++) {
    const sql = r.text();
    const n = r.varint();
    const params: SqlParam[] = [];
    for (let j = 0; j < n; j++) {
      const tag = r.u8();
      switch (tag) {
        case Tag.Null:
          params.push(null);
          break;
        case Tag.UInt:
          params.push(r.varint());
          break;
        case Tag.NegInt:
          params.push(-r.varint());
          break;
        case Tag.Float:
          params.push(r.float());
          break;
        case Tag.BigInt:
          params.push(r.i64());
          break;
        case Tag.Text:
          params.push(r.text());
          break;
        case Tag.Blob:
          params.push(r.bytes());
          break;
        default:
          throw new ReplicatedTxDecodeError(`unknown param tag ${tag} in statement ${i}`);
      }
    }
    statements.push({ sql, params });
  }
  if (!r.done) throw new ReplicatedTxDecodeError('trailing bytes after the last statement');
  return { statements };
}

/** A one-statement transaction. */
export function txOf(sql: string, ...params: SqlParam[]): ReplicatedTx {
  return { statements: [{ sql, params }] };
}
