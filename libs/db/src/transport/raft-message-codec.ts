/**
 * Protobuf wire codec for Raft `Message`s.
 *
 * The schema is defined here in TypeScript and built with protobufjs's
 * reflection API (no .proto loading at run time, no code generation). Every
 * scalar field uses explicit presence (edition "proto2" semantics), so a field
 * the core left undefined comes back undefined while 0 / false / '' values that
 * were set survive the round trip. `entries` is wrapped in a sub-message so that
 * "no entries" (undefined) and "an empty batch" ([]) stay distinct.
 *
 * All integers are uint64 on the wire; they are converted to JS numbers and
 * anything that is not a non-negative safe integer is refused on both sides.
 */
import * as protobuf from "protobufjs";
import {
  Entry,
  EntryType,
  Membership,
  Message,
  MessageType,
  Role,
  SnapshotChunk,
  SnapshotMeta,
} from "@app/raft";

/** Thrown by `decodeRaftMessage` for bytes that are not a valid encoded Raft message. */
export class RaftMessageDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RaftMessageDecodeError";
  }
}

/** Thrown by `encodeRaftMessage` for messages that cannot be represented on the wire. */
export class RaftMessageEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RaftMessageEncodeError";
  }
}

// Wire enum values. 0 is reserved as "unspecified" so a missing/zeroed type is detected.
const MESSAGE_TYPES: readonly MessageType[] = [
  MessageType.PreVote,
  MessageType.PreVoteResp,
  MessageType.Vote,
  MessageType.VoteResp,
  MessageType.Append,
  MessageType.AppendResp,
  MessageType.Heartbeat,
  MessageType.HeartbeatResp,
  MessageType.Snapshot,
  MessageType.SnapshotResp,
  MessageType.TimeoutNow,
  MessageType.Propose,
  MessageType.ReadIndex,
  MessageType.ReadIndexResp,
];
const ROLES: readonly Role[] = [Role.Voter, Role.Standby, Role.Spare];

const enumValues = (names: readonly string[]): Record<string, number> => {
  const values: Record<string, number> = { UNSPECIFIED: 0 };
  names.forEach((n, i) => (values[n.toUpperCase().replace(/-/g, "_")] = i + 1));
  return values;
};
const wireOf = <T>(list: readonly T[], value: T, what: string): number => {
  const i = list.indexOf(value);
  if (i < 0)
    throw new RaftMessageEncodeError(
      `cannot encode unknown ${what} ${JSON.stringify(value)}`,
    );
  return i + 1;
};

const SCHEMA: protobuf.INamespace = {
  nested: {
    raft: {
      nested: {
        MessageType: { values: enumValues(MESSAGE_TYPES) },
        Role: { values: enumValues(ROLES) },
        Entry: {
          edition: "proto2",
          fields: {
            index: { type: "uint64", id: 1 },
            term: { type: "uint64", id: 2 },
            type: { type: "uint32", id: 3 },
            data: { type: "bytes", id: 4 },
          },
        },
        EntryList: {
          edition: "proto2",
          fields: { entries: { rule: "repeated", type: "Entry", id: 1 } },
        },
        Member: {
          edition: "proto2",
          fields: {
            id: { type: "uint64", id: 1 },
            role: { type: "Role", id: 2 },
          },
        },
        SnapshotMeta: {
          edition: "proto2",
          fields: {
            index: { type: "uint64", id: 1 },
            term: { type: "uint64", id: 2 },
            membership: { rule: "repeated", type: "Member", id: 3 },
          },
        },
        SnapshotChunk: {
          edition: "proto2",
          fields: {
            meta: { type: "SnapshotMeta", id: 1 },
            offset: { type: "uint64", id: 2 },
            data: { type: "bytes", id: 3 },
            total: { type: "uint64", id: 4 },
            done: { type: "bool", id: 5 },
          },
        },
        Message: {
          edition: "proto2",
          fields: {
            type: { type: "MessageType", id: 1 },
            from: { type: "uint64", id: 2 },
            to: { type: "uint64", id: 3 },
            term: { type: "uint64", id: 4 },
            index: { type: "uint64", id: 5 },
            logTerm: { type: "uint64", id: 6 },
            entries: { type: "EntryList", id: 7 },
            commit: { type: "uint64", id: 8 },
            reject: { type: "bool", id: 9 },
            hintIndex: { type: "uint64", id: 10 },
            hintTerm: { type: "uint64", id: 11 },
            transfer: { type: "bool", id: 12 },
            snapshot: { type: "SnapshotChunk", id: 13 },
            done: { type: "bool", id: 14 },
            context: { type: "string", id: 15 },
            sentTick: { type: "uint64", id: 16 },
            wantLease: { type: "bool", id: 17 },
            leaseTicks: { type: "uint64", id: 18 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA);
const MessageProto = root.lookupType("raft.Message");

// ---------------------------------------------------------------- encoding

type Wire = Record<string, unknown>;

function u64(value: number, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RaftMessageEncodeError(
      `cannot encode ${field}=${String(value)}: not a non-negative integer`,
    );
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new RaftMessageEncodeError(
      `cannot encode ${field}=${value}: above Number.MAX_SAFE_INTEGER`,
    );
  }
  return value;
}

function encodeEntry(e: Entry, i: number): Wire {
  return {
    index: u64(e.index, `entries[${i}].index`),
    term: u64(e.term, `entries[${i}].term`),
    type: u64(e.type, `entries[${i}].type`),
    data: e.data,
  };
}

function encodeMeta(meta: SnapshotMeta): Wire {
  return {
    index: u64(meta.index, "snapshot.meta.index"),
    term: u64(meta.term, "snapshot.meta.term"),
    membership: meta.membership.map((m, i) => ({
      id: u64(m.id, `snapshot.meta.membership[${i}].id`),
      role: wireOf(ROLES, m.role, "role"),
    })),
  };
}

export function encodeRaftMessage(m: Message): Uint8Array {
  const w: Wire = {
    type: wireOf(MESSAGE_TYPES, m.type, "message type"),
    from: u64(m.from, "from"),
    to: u64(m.to, "to"),
    term: u64(m.term, "term"),
  };
  const optU64 = (
    key: "index" | "logTerm" | "commit" | "hintIndex" | "hintTerm" | "sentTick" | "leaseTicks",
  ): void => {
    const v = m[key];
    if (v !== undefined) w[key] = u64(v, key);
  };
  optU64("index");
  optU64("logTerm");
  optU64("commit");
  optU64("hintIndex");
  optU64("hintTerm");
  optU64("sentTick");
  optU64("leaseTicks");
  if (m.entries !== undefined)
    w.entries = { entries: m.entries.map(encodeEntry) };
  if (m.reject !== undefined) w.reject = m.reject;
  if (m.transfer !== undefined) w.transfer = m.transfer;
  if (m.wantLease !== undefined) w.wantLease = m.wantLease;
  if (m.done !== undefined) w.done = m.done;
  if (m.context !== undefined) w.context = m.context;
  if (m.snapshot !== undefined) {
    const s = m.snapshot;
    w.snapshot = {
      meta: encodeMeta(s.meta),
      offset: u64(s.offset, "snapshot.offset"),
      data: s.data,
      total: u64(s.total, "snapshot.total"),
      done: s.done,
    };
  }
  return MessageProto.encode(w).finish();
}

// ---------------------------------------------------------------- decoding

const has = (o: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(o, key);

function toNumber(v: unknown, field: string): number {
  let n: number;
  if (typeof v === "number") {
    n = v;
  } else if (v !== null && typeof v === "object" && "low" in v && "high" in v) {
    const l = v as { low: number; high: number; toString(): string };
    // Unsigned 64-bit: high * 2^32 + low (both as unsigned 32-bit words).
    const high = l.high >>> 0;
    const low = l.low >>> 0;
    if (high > 0x1fffff) {
      throw new RaftMessageDecodeError(
        `field ${field} is above Number.MAX_SAFE_INTEGER (${l.toString()})`,
      );
    }
    n = high * 0x100000000 + low;
  } else {
    throw new RaftMessageDecodeError(
      `field ${field} has an unexpected value ${String(v)}`,
    );
  }
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RaftMessageDecodeError(
      `field ${field} is not a safe non-negative integer (${n})`,
    );
  }
  return n;
}

function req(o: Wire, key: string, path: string): unknown {
  if (!has(o, key) || o[key] === null || o[key] === undefined) {
    throw new RaftMessageDecodeError(`missing required field ${path}${key}`);
  }
  return o[key];
}

const bytes = (v: unknown, field: string): Uint8Array => {
  if (!(v instanceof Uint8Array))
    throw new RaftMessageDecodeError(`field ${field} is not bytes`);
  // Copy into a plain Uint8Array (protobufjs may hand out Buffer views of the input).
  return new Uint8Array(v);
};

function decodeEntry(o: Wire, i: number): Entry {
  const p = `entries[${i}].`;
  const type = toNumber(req(o, "type", p), `${p}type`);
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) {
    throw new RaftMessageDecodeError(`unknown entry type ${type} in ${p}type`);
  }
  return {
    index: toNumber(req(o, "index", p), `${p}index`),
    term: toNumber(req(o, "term", p), `${p}term`),
    type: type as EntryType,
    data: bytes(req(o, "data", p), `${p}data`),
  };
}

function decodeEnum<T>(list: readonly T[], v: unknown, what: string): T {
  const value = typeof v === "number" ? list[v - 1] : undefined;
  if (value === undefined)
    throw new RaftMessageDecodeError(`unknown ${what} ${String(v)}`);
  return value;
}

function decodeSnapshot(s: Wire): SnapshotChunk {
  const meta = req(s, "meta", "snapshot.") as Wire;
  const members = (has(meta, "membership") ? meta.membership : []) as Wire[];
  const membership: Membership = members.map((mm, i) => {
    const p = `snapshot.meta.membership[${i}].`;
    return {
      id: toNumber(req(mm, "id", p), `${p}id`),
      role: decodeEnum(ROLES, req(mm, "role", p), "role"),
    };
  });
  return {
    meta: {
      index: toNumber(
        req(meta, "index", "snapshot.meta."),
        "snapshot.meta.index",
      ),
      term: toNumber(req(meta, "term", "snapshot.meta."), "snapshot.meta.term"),
      membership,
    },
    offset: toNumber(req(s, "offset", "snapshot."), "snapshot.offset"),
    data: bytes(req(s, "data", "snapshot."), "snapshot.data"),
    total: toNumber(req(s, "total", "snapshot."), "snapshot.total"),
    done: req(s, "done", "snapshot.") as boolean,
  };
}

export function decodeRaftMessage(buf: Uint8Array): Message {
  if (!(buf instanceof Uint8Array))
    throw new RaftMessageDecodeError("input is not a Uint8Array");
  let w: Wire;
  try {
    w = MessageProto.decode(buf) as unknown as Wire;
  } catch (err) {
    throw new RaftMessageDecodeError(
      `malformed Raft message (${buf.length} bytes): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const m: Message = {
    type: decodeEnum(MESSAGE_TYPES, req(w, "type", ""), "message type"),
    from: toNumber(req(w, "from", ""), "from"),
    to: toNumber(req(w, "to", ""), "to"),
    term: toNumber(req(w, "term", ""), "term"),
  };
  for (const key of [
    "index",
    "logTerm",
    "commit",
    "hintIndex",
    "hintTerm",
    "sentTick",
    "leaseTicks",
  ] as const) {
    if (has(w, key)) m[key] = toNumber(w[key], key);
  }
  if (has(w, "entries")) {
    const list = w.entries as Wire;
    m.entries = ((has(list, "entries") ? list.entries : []) as Wire[]).map(
      decodeEntry,
    );
  }
  if (has(w, "reject")) m.reject = w.reject as boolean;
  if (has(w, "transfer")) m.transfer = w.transfer as boolean;
  if (has(w, "wantLease")) m.wantLease = w.wantLease as boolean;
  if (has(w, "done")) m.done = w.done as boolean;
  if (has(w, "context")) m.context = w.context as string;
  if (has(w, "snapshot")) m.snapshot = decodeSnapshot(w.snapshot as Wire);
  return m;
}
