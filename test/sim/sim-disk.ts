/**
 * A node's simulated durable storage: hard state, the log (entries after `base`) and the latest
 * snapshot. Only what was written here survives a crash; a restarted node is built from `load()`.
 */
import type { Entry, HardState, PersistedState, Snapshot } from '../../libs/raft/src/types';
import { Violation } from './violation';

function copyEntry(e: Entry): Entry {
  return { index: e.index, term: e.term, type: e.type, data: e.data };
}

function copySnapshot(s: Snapshot): Snapshot {
  return {
    meta: { index: s.meta.index, term: s.meta.term, membership: s.meta.membership.map((m) => ({ id: m.id, role: m.role })) },
    data: s.data.slice(),
  };
}

export class SimDisk {
  hardState: HardState = { term: 0, vote: 0, commit: 0 };
  snapshot?: Snapshot;
  /** Index and term of the entry just before entries[0]. */
  base = { index: 0, term: 0 };
  entries: Entry[] = [];

  constructor(
    readonly nodeId: number,
    initial?: PersistedState,
  ) {
    if (initial) {
      this.hardState = { ...initial.hardState };
      if (initial.snapshot) this.snapshot = copySnapshot(initial.snapshot);
      this.base = { ...initial.logBase };
      this.entries = initial.entries.map(copyEntry);
    }
  }

  lastIndex(): number {
    return this.base.index + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length ? this.entries[this.entries.length - 1]!.term : this.base.term;
  }

  /** Term of entry `index` if the disk knows it (log, log base or snapshot). */
  term(index: number): number | undefined {
    if (index === this.base.index) return this.base.term;
    if (index > this.base.index && index <= this.lastIndex()) return this.entries[index - this.base.index - 1]!.term;
    if (this.snapshot && index === this.snapshot.meta.index) return this.snapshot.meta.term;
    if (index === 0) return 0;
    return undefined;
  }

  entry(index: number): Entry | undefined {
    if (index > this.base.index && index <= this.lastIndex()) return this.entries[index - this.base.index - 1];
    return undefined;
  }

  /**
   * Truncates stored entries at and after entries[0].index, then appends. Returns the entries
   * that were overwritten (truncated away) and the term of the entry preceding entries[0].
   */
  append(entries: readonly Entry[]): { prevTerm: number | undefined; overwritten: Entry[] } {
    const first = entries[0]!.index;
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.index !== first + i) {
        throw new Violation('persist-order', `n${this.nodeId}: Ready.entries not contiguous: ${entries.map((e) => e.index).join(',')}`);
      }
    }
    if (first <= this.base.index) {
      throw new Violation(
        'persist-below-base',
        `n${this.nodeId}: Ready.entries start at ${first} but the persisted log is compacted up to ${this.base.index}`,
      );
    }
    if (first > this.lastIndex() + 1) {
      throw new Violation('persist-gap', `n${this.nodeId}: Ready.entries start at ${first} but the persisted log ends at ${this.lastIndex()}`);
    }
    const keep = first - this.base.index - 1;
    const overwritten = this.entries.length > keep ? this.entries.splice(keep) : [];
    const prevTerm = this.term(first - 1);
    for (const e of entries) this.entries.push(copyEntry(e));
    return { prevTerm, overwritten };
  }

  /**
   * A snapshot from the leader. The core only hands one out when its log does not contain the
   * snapshot's last entry, and then replaces its whole log with it; the disk does the same.
   */
  saveReceivedSnapshot(s: Snapshot): void {
    this.snapshot = copySnapshot(s);
    this.entries = [];
    this.base = { index: s.meta.index, term: s.meta.term };
  }

  /** A snapshot the application took itself (RaftNode.compact). */
  saveOwnSnapshot(s: Snapshot): void {
    this.snapshot = copySnapshot(s);
  }

  /** Drops entries up to `index` (Ready.compact). */
  compact(c: { index: number; term: number }): void {
    if (c.index <= this.base.index) return;
    const known = this.term(c.index);
    if (known !== undefined && known !== c.term) {
      throw new Violation('compact-term', `n${this.nodeId}: Ready.compact ${c.index}/${c.term} but the persisted entry ${c.index} has term ${known}`);
    }
    if (c.index >= this.lastIndex()) {
      this.entries = [];
    } else {
      this.entries.splice(0, c.index - this.base.index);
    }
    this.base = { index: c.index, term: c.term };
  }

  /** What a restarting node finds (deep copies: the node never shares objects with the disk). */
  load(): PersistedState {
    return {
      hardState: { ...this.hardState },
      snapshot: this.snapshot ? copySnapshot(this.snapshot) : undefined,
      logBase: { ...this.base },
      entries: this.entries.map((e) => ({ index: e.index, term: e.term, type: e.type, data: e.data.slice() })),
    };
  }
}
