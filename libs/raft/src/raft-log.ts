import { Entry, Snapshot } from './types';

/**
 * The in-memory Raft log: entries after `base`, which entries still need to be
 * persisted, and the commit and apply indexes.
 */
export class RaftLog {
  base: { index: number; term: number };
  entries: Entry[];
  committed: number;
  applied: number;
  /** First index not yet handed out for persistence. */
  private unstableFrom: number;

  constructor(base: { index: number; term: number }, entries: Entry[], committed: number, applied: number) {
    this.base = { ...base };
    this.entries = entries.slice();
    this.committed = committed;
    this.applied = applied;
    this.unstableFrom = this.lastIndex() + 1;
  }

  firstIndex(): number {
    return this.base.index + 1;
  }

  lastIndex(): number {
    return this.base.index + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length ? this.entries[this.entries.length - 1].term : this.base.term;
  }

  /** Term of entry `i`, or undefined when it is compacted away or beyond the end. */
  term(i: number): number | undefined {
    if (i === this.base.index) return this.base.term;
    if (i < this.base.index || i > this.lastIndex()) return undefined;
    return this.entries[i - this.base.index - 1].term;
  }

  entry(i: number): Entry | undefined {
    if (i <= this.base.index || i > this.lastIndex()) return undefined;
    return this.entries[i - this.base.index - 1];
  }

  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term;
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi] limited by count and bytes (always at least one if any). */
  slice(lo: number, hi: number, maxCount = Infinity, maxBytes = Infinity): Entry[] {
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = Math.max(lo, this.firstIndex()); i <= Math.min(hi, this.lastIndex()); i++) {
      const e = this.entries[i - this.base.index - 1];
      const size = entrySize(e);
      if (out.length > 0 && (out.length >= maxCount || bytes + size > maxBytes)) break;
      out.push(e);
      bytes += size;
    }
    return out;
  }

  /** Appends entries that follow on from the current last index (leader side). */
  append(entries: Entry[]): void {
    for (const e of entries) {
      if (e.index !== this.lastIndex() + 1) throw new Error(`raft log: append gap at ${e.index}`);
      this.entries.push(e);
    }
  }

  /** Drops entries after `index`. */
  truncateAfter(index: number): void {
    if (index < this.committed) throw new Error(`raft log: truncating committed entry ${index + 1}`);
    this.entries.length = Math.max(0, index - this.base.index);
    this.unstableFrom = Math.min(this.unstableFrom, index + 1);
  }

  /**
   * Follower side: accepts `entries` after (prevIndex, prevTerm) if the log
   * matches there, truncating conflicting suffixes. Returns the index of the
   * last new entry, or undefined when the log does not match.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    let firstNew = -1;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k];
      const t = this.term(e.index);
      if (e.index <= this.base.index) continue;
      if (t !== e.term) {
        firstNew = k;
        break;
      }
    }
    if (firstNew >= 0) {
      const from = entries[firstNew].index;
      if (from <= this.committed) throw new Error(`raft log: conflict at committed index ${from}`);
      this.truncateAfter(from - 1);
      this.append(entries.slice(firstNew));
    }
    return prevIndex + entries.length;
  }

  /** The last index <= `index` whose term is <= `term` (for fast conflict back-off). */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.base.index) {
      const t = this.term(i)!;
      if (t <= term) break;
      i--;
    }
    return i;
  }

  commitTo(index: number): boolean {
    if (index > this.committed) {
      this.committed = Math.min(index, this.lastIndex());
      return true;
    }
    return false;
  }

  /** Entries not yet handed out for persistence, marking them handed out. */
  takeUnstable(): Entry[] {
    const out = this.slice(this.unstableFrom, this.lastIndex());
    this.unstableFrom = this.lastIndex() + 1;
    return out;
  }

  hasUnstable(): boolean {
    return this.unstableFrom <= this.lastIndex();
  }

  /** Committed entries not yet applied, marking them applied. */
  takeCommitted(): Entry[] {
    if (this.committed <= this.applied) return [];
    const out = this.slice(this.applied + 1, this.committed);
    this.applied = this.committed;
    return out;
  }

  hasCommitted(): boolean {
    return this.committed > this.applied;
  }

  /** Drops entries at or before `index`. */
  compactTo(index: number): void {
    if (index <= this.base.index) return;
    const term = this.term(index);
    if (term === undefined) throw new Error(`raft log: cannot compact to ${index}`);
    this.entries = this.entries.slice(index - this.base.index);
    this.base = { index, term };
  }

  /** Replaces the whole log with a snapshot. */
  restore(snap: Snapshot): void {
    this.base = { index: snap.meta.index, term: snap.meta.term };
    this.entries = [];
    this.committed = snap.meta.index;
    this.applied = snap.meta.index;
    this.unstableFrom = snap.meta.index + 1;
  }
}

export function entrySize(e: Entry): number {
  return e.data.length + 24;
}
