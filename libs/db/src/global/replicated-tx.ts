/**
 * The replication unit of the global database: one SQLite transaction, i.e. an ordered list of SQL
 * statements with positional parameters, carried in the `data` of one Raft log entry.
 *
 * Binary layout (varints are unsigned LEB128, at most 2^53 - 1; values as in binary-codec.ts):
 *
 *   u8 format version (3; 2 without an id)
 *   [version 3: bytes transaction id (TX_ID_BYTES), varint leader time in ms since the epoch (0 until fixed)]
 *   varint statement count
 *   per statement:
 *     varint sql byte length, sql (UTF-8)
 *     varint flags: bit 0 = an expected row count follows
 *     [varint expected count]
 *     varint param count; params (tagged values)
 *
 * Besides the SQL values of binary-codec.ts a parameter may be a leader value (tag 16, then u8
 * kind, and for random-hex a varint byte count): a placeholder for the time or a random value that
 * the leader fixes when it proposes the transaction, so that every replica applies the same
 * concrete value. Leader values only travel between members on their way to the leader; an entry in
 * the log never holds one (encodeTx refuses them unless `leaderValues` is set, and the state
 * machine refuses entries that hold one).
 *
 * The transaction id is chosen once by the member that submits the transaction and kept when the
 * submission is retried (after a lost connection to the leader, or on a new leader): the state
 * machine applies a transaction id once and answers a retry with the recorded outcome
 * (applied-tx-results.ts). The leader time says when the leader proposed it; the records of
 * applied ids expire by it.
 *
 * `expect` makes a statement a guard: when its row count (rows changed by a write, rows returned by
 * a query) differs, the whole transaction fails and rolls back on every replica, the same way. A
 * compare-and-set is an UPDATE ... WHERE <old value> with `expect: 1`.
 *
 * Every value decodes to exactly the value encoded, with two deliberate normalisations: a boolean
 * becomes the number 1 or 0 (SQLite has no boolean type and better-sqlite3 refuses to bind one),
 * and a blob decodes as a Buffer (a Uint8Array) holding a copy of the bytes. Values that SQLite could
 * not store exactly are refused when encoding, on the proposer, rather than failing on every
 * replica: bigints outside the i64 range and strings with unpaired UTF-16 surrogates.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BinaryDecodeError, BinaryReader, BinaryWriter, describeType, type SqlValue } from '../codec/binary-codec';
import { assertReplicable } from './deterministic-sql';

export type SqlParam = SqlValue;

/** A value the leader fixes when it proposes: the time, or random bytes. */
export type LeaderValue =
  | { readonly leader: 'now' } // ISO 8601 UTC text, millisecond precision
  | { readonly leader: 'now-ms' } // integer milliseconds since the epoch
  | { readonly leader: 'uuid' } // random UUID (version 4) text
  | { readonly leader: 'random-hex'; readonly bytes: number }; // that many random bytes as lower-case hex

export type TxParam = SqlParam | LeaderValue;

export interface SqlStatement<P = SqlParam> {
  sql: string;
  params: P[];
  /** Rows the statement must change (a write) or return (a query); otherwise the transaction fails. */
  expect?: number;
}

export interface ReplicatedTx<P = SqlParam> {
  statements: SqlStatement<P>[];
  /** Identifies the transaction across retries (TX_ID_BYTES random bytes); absent in old entries. */
  id?: Uint8Array;
  /** Milliseconds since the epoch when the leader proposed it (fixed with the leader values; 0 before). */
  at?: number;
}

/** Length of a transaction id. */
export const TX_ID_BYTES = 16;

/** A new random transaction id. */
/**
 * A transaction id: 8 random bytes drawn once per process, then a big-endian counter. Unique across
 * processes (with overwhelming probability) and cheap; the ids of one process sort in the order
 * they were made, so their records land next to each other in raft_tx_results' key order.
 */
const TX_ID_PREFIX = randomBytes(8);
let txIdCounter = 0n;

export function newTxId(): Uint8Array {
  const id = Buffer.allocUnsafe(TX_ID_BYTES);
  TX_ID_PREFIX.copy(id, 0);
  id.writeBigUInt64BE(++txIdCounter, 8);
  return id;
}

/** A transaction as a client submits it: parameters may still be leader values. */
export type ProposedTx = ReplicatedTx<TxParam>;

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
  /** Allow leader values (a transaction on its way to the leader); never for a log entry. */
  leaderValues?: boolean;
}

export interface DecodeTxOptions {
  /** Accept leader values (the leader decoding a forwarded transaction). */
  leaderValues?: boolean;
}

/** Leader values for building statements: `LEADER.now`, `LEADER.randomHex(32)`. */
export const LEADER = {
  now: { leader: 'now' } as LeaderValue,
  nowMs: { leader: 'now-ms' } as LeaderValue,
  uuid: { leader: 'uuid' } as LeaderValue,
  randomHex: (bytes: number): LeaderValue => {
    if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > 1024) throw new RangeError(`leader value: random-hex needs 1..1024 bytes, not ${bytes}`);
    return { leader: 'random-hex', bytes };
  },
} as const;

const FORMAT_V1 = 1;
const FORMAT_V2 = 2;
const FORMAT_V3 = 3;
const FLAG_EXPECT = 1;
const TAG_LEADER = 16;
const LEADER_KINDS = ['now', 'now-ms', 'uuid', 'random-hex'] as const;

export function isLeaderValue(p: unknown): p is LeaderValue {
  return typeof p === 'object' && p !== null && !(p instanceof Uint8Array) && typeof (p as { leader?: unknown }).leader === 'string';
}

function writeParam(w: BinaryWriter, p: TxParam, where: string, allowLeader: boolean): void {
  if (!isLeaderValue(p)) {
    w.value(p, where);
    return;
  }
  const kind = LEADER_KINDS.indexOf(p.leader);
  if (kind < 0) throw new TypeError(`${where} is an unknown leader value ${JSON.stringify(p.leader)}`);
  if (!allowLeader) throw new TypeError(`${where} is a leader value (${p.leader}) that the leader has not fixed`);
  w.u8(TAG_LEADER);
  w.u8(kind);
  if (p.leader === 'random-hex') {
    LEADER.randomHex(p.bytes); // validates the byte count
    w.varint(p.bytes);
  }
}

/**
 * Encodes a transaction. Unless `unchecked`, every statement must pass assertReplicable (no
 * non-deterministic functions, no transaction control): the proposer is the place to refuse them,
 * since once committed an entry is applied on every replica as it is.
 */
export function encodeTx(tx: ProposedTx, opts: EncodeTxOptions = {}): Uint8Array {
  if (!tx || !Array.isArray(tx.statements)) throw new TypeError('replicated tx: statements must be an array');
  const w = new BinaryWriter();
  if (tx.id !== undefined) {
    if (!(tx.id instanceof Uint8Array) || tx.id.length !== TX_ID_BYTES) throw new TypeError(`replicated tx: the id must be ${TX_ID_BYTES} bytes`);
    const at = tx.at ?? 0;
    if (!Number.isSafeInteger(at) || at < 0) throw new TypeError(`replicated tx: the leader time ${String(at)} is not a time in ms`);
    w.u8(FORMAT_V3);
    w.bytes(tx.id);
    w.varint(at);
  } else {
    w.u8(FORMAT_V2);
  }
  w.varint(tx.statements.length);
  tx.statements.forEach((st, i) => {
    if (typeof st?.sql !== 'string') throw new TypeError(`replicated tx: statement ${i} has no sql string`);
    if (!Array.isArray(st.params)) throw new TypeError(`replicated tx: statement ${i} params must be an array`);
    if (st.expect !== undefined && !(Number.isSafeInteger(st.expect) && st.expect >= 0)) {
      throw new TypeError(`replicated tx: statement ${i} expects ${String(st.expect)} rows, not a row count`);
    }
    if (!opts.unchecked) assertReplicable(st.sql);
    w.text(st.sql, `replicated tx: statement ${i} sql`);
    if (st.expect === undefined) {
      w.varint(0);
    } else {
      w.varint(FLAG_EXPECT);
      w.varint(st.expect);
    }
    w.varint(st.params.length);
    st.params.forEach((p, j) => writeParam(w, p, `replicated tx: statement ${i} param ${j + 1}`, opts.leaderValues === true));
  });
  return w.finish();
}

/** Decodes an entry written by encodeTx; throws ReplicatedTxDecodeError on anything malformed. */
export function decodeTx(data: Uint8Array): ReplicatedTx;
export function decodeTx(data: Uint8Array, opts: DecodeTxOptions): ProposedTx;
export function decodeTx(data: Uint8Array, opts: DecodeTxOptions = {}): ProposedTx {
  try {
    return decode(new BinaryReader(data), opts.leaderValues === true);
  } catch (err) {
    if (err instanceof BinaryDecodeError) throw new ReplicatedTxDecodeError(err.message);
    throw err;
  }
}

function decode(r: BinaryReader, allowLeader: boolean): ProposedTx {
  const version = r.u8();
  if (version !== FORMAT_V1 && version !== FORMAT_V2 && version !== FORMAT_V3) throw new ReplicatedTxDecodeError(`unknown format version ${version}`);
  let id: Uint8Array | undefined;
  let at: number | undefined;
  if (version === FORMAT_V3) {
    id = r.bytes();
    if (id.length !== TX_ID_BYTES) throw new ReplicatedTxDecodeError(`a transaction id of ${id.length} bytes, not ${TX_ID_BYTES}`);
    at = r.varint();
  }
  const count = r.varint();
  const statements: SqlStatement<TxParam>[] = [];
  for (let i = 0; i < count; i++) {
    const sql = r.text();
    let expect: number | undefined;
    if (version !== FORMAT_V1) {
      const flags = r.varint();
      if (flags & ~FLAG_EXPECT) throw new ReplicatedTxDecodeError(`unknown statement flags ${flags} in statement ${i}`);
      if (flags & FLAG_EXPECT) expect = r.varint();
    }
    const n = r.varint();
    const params: TxParam[] = [];
    for (let j = 0; j < n; j++) {
      const tag = r.u8();
      if (tag === TAG_LEADER) {
        if (!allowLeader) throw new ReplicatedTxDecodeError(`statement ${i} param ${j + 1} is a leader value the leader never fixed`);
        const kind = LEADER_KINDS[r.u8()];
        if (kind === undefined) throw new ReplicatedTxDecodeError(`unknown leader value kind in statement ${i}`);
        params.push(kind === 'random-hex' ? LEADER.randomHex(r.varint()) : ({ leader: kind } as LeaderValue));
        continue;
      }
      if (tag > 6) throw new ReplicatedTxDecodeError(`unknown param tag ${tag} in statement ${i}`);
      params.push(r.valueOf(tag, `statement ${i}`));
    }
    statements.push(expect === undefined ? { sql, params } : { sql, params, expect });
  }
  if (!r.done) throw new ReplicatedTxDecodeError('trailing bytes after the last statement');
  return id === undefined ? { statements } : { statements, id, at };
}

/** Where the leader takes the time and random bytes from (injectable for tests). */
export interface LeaderValueSource {
  now(): number;
  randomBytes(n: number): Uint8Array;
}

export const SYSTEM_LEADER_VALUES: LeaderValueSource = { now: () => Date.now(), randomBytes: (n) => randomBytes(n) };

/**
 * The leader's step before proposing: every leader value becomes a concrete parameter, the same
 * clock reading for every `now` of the transaction, which is also its leader time when it has an id.
 */
export function fixLeaderValues(tx: ProposedTx, source: LeaderValueSource = SYSTEM_LEADER_VALUES): ReplicatedTx {
  let now: number | undefined;
  const clock = (): number => (now ??= source.now());
  const stamped = tx.id !== undefined ? { id: tx.id, at: Math.max(0, Math.floor(clock())) } : {};
  let changed = tx.id !== undefined;
  const statements = tx.statements.map((st) => {
    if (!st.params.some(isLeaderValue)) return st as SqlStatement;
    changed = true;
    const params = st.params.map((p): SqlParam => {
      if (!isLeaderValue(p)) return p;
      switch (p.leader) {
        case 'now':
          return new Date(clock()).toISOString();
        case 'now-ms':
          return clock();
        case 'uuid':
          return source === SYSTEM_LEADER_VALUES ? randomUUID() : uuidOf(source.randomBytes(16));
        case 'random-hex':
          return Buffer.from(source.randomBytes(p.bytes)).toString('hex');
      }
      throw new TypeError(`unknown leader value ${describeType(p)}`);
    });
    return st.expect === undefined ? { sql: st.sql, params } : { sql: st.sql, params, expect: st.expect };
  });
  return changed ? { statements, ...stamped } : (tx as ReplicatedTx);
}

function uuidOf(b: Uint8Array): string {
  const bytes = Buffer.from(b.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A one-statement transaction. */
export function txOf(sql: string, ...params: SqlParam[]): ReplicatedTx {
  return { statements: [{ sql, params }] };
}
