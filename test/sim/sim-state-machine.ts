/**
 * The application state machine of a simulated node: a small key/value store fed by write
 * entries, plus the applied index, a count of applied writes and a rolling FNV-1a hash over every
 * applied entry (index, type, data) and over whether it was a repeat. A client may submit a write
 * again (same id) when it does not know whether the first submission was committed; a write id
 * takes effect once, so the ids already applied are part of the state and of its snapshot (the
 * encoded state, a few hundred bytes to a few KiB, so it travels in several chunks).
 */
import { type Entry, EntryType } from '../../libs/raft/src/types';
import { FNV_OFFSET, fnvBytes, fnvU32, hex32 } from './fnv';
import { Violation } from './violation';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A client write: unique id, key and value, encoded as "w<id>:<key>=<value>". */
export interface Write {
  id: number;
  key: string;
  value: string;
}

export function encodeWrite(w: Write): Uint8Array {
  return encoder.encode(`w${w.id}:${w.key}=${w.value}`);
}

export function decodeWrite(data: Uint8Array): Write | undefined {
  const s = decoder.decode(data);
  const m = /^w(\d+):([^=]*)=(.*)$/.exec(s);
  if (!m) return undefined;
  return { id: Number(m[1]), key: m[2]!, value: m[3]! };
}

interface EncodedState {
  applied: number;
  count: number;
  hash: number;
  kv: [string, string][];
  writes: number[];
  repeats: number;
}

export class SimStateMachine {
  applied = 0;
  /** Writes applied so far. */
  count = 0;
  /** Rolling hash over every applied entry; together with `applied` it identifies the state. */
  hash = FNV_OFFSET;
  /** Entries that repeated a write already applied (and changed nothing). */
  repeats = 0;
  private readonly kv = new Map<string, string>();
  private readonly writes = new Set<number>();

  constructor(private readonly nodeId: number) {}

  apply(e: Entry): void {
    if (e.index !== this.applied + 1) {
      throw new Violation('apply-order', `n${this.nodeId}: applying entry ${e.index} but the state machine is at ${this.applied}`);
    }
    this.applied = e.index;
    let h = fnvU32(this.hash, e.index);
    h = fnvU32(h, e.type);
    h = fnvBytes(h, e.data);
    if (e.type === EntryType.Normal && e.data.length > 0) {
      const w = decodeWrite(e.data);
      if (!w) throw new Violation('bad-entry', `n${this.nodeId}: entry ${e.index} carries data the application never wrote`);
      const repeat = this.writes.has(w.id);
      h = fnvU32(h, repeat ? 1 : 0);
      if (repeat) {
        this.repeats++;
      } else {
        this.writes.add(w.id);
        this.kv.set(w.key, w.value);
        this.count++;
      }
    }
    this.hash = h;
  }

  value(key: string): string | undefined {
    return this.kv.get(key);
  }

  encode(): Uint8Array {
    const keys = [...this.kv.keys()].sort();
    const state: EncodedState = {
      applied: this.applied,
      count: this.count,
      hash: this.hash,
      kv: keys.map((k) => [k, this.kv.get(k)!]),
      writes: [...this.writes].sort((a, b) => a - b),
      repeats: this.repeats,
    };
    return encoder.encode(JSON.stringify(state));
  }

  restore(data: Uint8Array, expectIndex: number): void {
    let state: EncodedState;
    try {
      state = JSON.parse(decoder.decode(data)) as EncodedState;
    } catch {
      throw new Violation('snapshot-corrupt', `n${this.nodeId}: snapshot at ${expectIndex} (${data.length} bytes) does not decode`);
    }
    if (state.applied !== expectIndex) {
      throw new Violation('snapshot-meta', `n${this.nodeId}: snapshot metadata says index ${expectIndex} but its data is the state at ${state.applied}`);
    }
    this.applied = state.applied;
    this.count = state.count;
    this.repeats = state.repeats;
    this.hash = state.hash;
    this.kv.clear();
    for (const [k, v] of state.kv) this.kv.set(k, v);
    this.writes.clear();
    for (const id of state.writes) this.writes.add(id);
  }

  describe(): string {
    return `applied=${this.applied} writes=${this.count} hash=${hex32(this.hash)}`;
  }
}
