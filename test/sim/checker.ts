/**
 * Safety invariants, checked incrementally as the simulation runs (each hook is O(work done by
 * the event), except the leader-completeness check which runs once per new leader):
 *
 * - election safety: at most one leader per term;
 * - log matching: entries with the same index and term carry the same data and follow the same
 *   previous entry (so, by induction, logs are identical up to any common (index, term));
 * - leader completeness: a new leader's log holds every entry known to be committed;
 * - state machine safety: every node applies the same entry (and reaches the same state) at an index;
 * - committed entries are never overwritten in a persisted log;
 * - hard state: the term never goes back, a node never changes its vote within a term;
 * - linearizable reads: a read reflects every write completed (and every entry applied anywhere)
 *   before it was issued, and serves the canonical state at its applied index.
 */
import { type Entry, EntryType, type HardState, type NodeId, type ReadState } from '../../libs/raft/src/types';
import { hashBytes, hex32 } from './fnv';
import { Violation } from './violation';

interface SeenEntry {
  hash: number;
  prevTerm: number | undefined;
  node: NodeId;
}

export interface ReadRecord {
  node: NodeId;
  context: string;
  issuedAt: number;
  /** Highest index of a write acknowledged to its client before the read was issued. */
  minWrite: number;
  /** Highest index applied by any node before the read was issued. */
  minCommitted: number;
  /** The read index the core answered with. */
  index?: number;
}

const TERM_STRIDE = 1 << 22;

export class Checker {
  /** term → the leader seen in it. */
  readonly leaders = new Map<number, NodeId>();
  /** (index, term) → the entry seen there first. */
  private readonly seen = new Map<number, SeenEntry>();
  /** Canonical applied history, by index: term, data hash, state hash after applying. */
  private readonly canonTerm: number[] = [0];
  private readonly canonData: number[] = [0];
  private readonly canonState: number[] = [0];
  /**
   * By index: the lowest term a node was in when it applied the entry. The entry was committed in
   * that term or an earlier one (a node learns of a commit from the leader of its own term, or
   * later), which is what leader completeness is about.
   */
  private readonly committedBy: number[] = [0];
  /** Highest index applied anywhere (every index up to it is known committed). */
  maxApplied = 0;
  /** Highest index of a completed (acknowledged) client write. */
  maxCompletedWrite = 0;
  private readonly reads = new Map<string, ReadRecord>();

  readonly stats = { leaders: 0, applied: 0, readsIssued: 0, readsServed: 0, writesCompleted: 0, snapshotsRestored: 0, confChanges: 0 };

  /** Node `id` is leader in `term`; `log` is its in-memory log (base + entries). */
  onLeader(
    id: NodeId,
    term: number,
    log: { base: { index: number; term: number }; entries: readonly Entry[] },
  ): void {
    const prev = this.leaders.get(term);
    if (prev !== undefined) {
      if (prev !== id) throw new Violation('election-safety', `two leaders in term ${term}: n${prev} and n${id}`);
      return;
    }
    this.leaders.set(term, id);
    this.stats.leaders++;
    // Leader completeness (Raft §5.4): every entry committed in an earlier term is in the new
    // leader's log. An entry committed in a later term need not be: a candidate of an old term can
    // still win it with late votes after a newer term began (it can commit nothing there).
    let required = this.maxApplied;
    while (required > 0 && this.committedBy[required]! >= term) required--;
    const base = log.base;
    const last = base.index + log.entries.length;
    if (last < required) {
      throw new Violation(
        'leader-completeness',
        `n${id} became leader of term ${term} with log ending at ${last}, but entries up to ${required} were committed before term ${term}`,
      );
    }
    if (base.index > 0 && base.index <= required && base.term !== this.canonTerm[base.index]) {
      throw new Violation(
        'leader-completeness',
        `n${id} became leader of term ${term}: its log base ${base.index}/${base.term} differs from the committed entry ${base.index}/${this.canonTerm[base.index]}`,
      );
    }
    for (let i = base.index + 1; i <= required; i++) {
      const e = log.entries[i - base.index - 1]!;
      if (e.term !== this.canonTerm[i] || hashBytes(e.data) !== this.canonData[i]) {
        throw new Violation(
          'leader-completeness',
          `n${id} became leader of term ${term} but its entry ${i} (term ${e.term}, data ${hex32(hashBytes(e.data))}) differs from the committed one (term ${this.canonTerm[i]}, data ${hex32(this.canonData[i]!)})`,
        );
      }
    }
  }

  /**
   * Node `id` persisted `entries`; `prevTerm` is its term of entries[0].index - 1 and
   * `overwritten` the entries its log held at and after entries[0].index.
   */
  onPersist(id: NodeId, entries: readonly Entry[], prevTerm: number | undefined, overwritten: readonly Entry[]): void {
    // A node may hold a stale uncommitted entry where another entry got committed, but once it
    // holds the committed entry it must never replace it.
    for (const old of overwritten) {
      if (old.index > this.maxApplied) break;
      const repl = entries[old.index - entries[0]!.index];
      if (old.term === this.canonTerm[old.index] && (!repl || repl.term !== old.term)) {
        throw new Violation(
          'committed-overwritten',
          `n${id} replaced the committed entry ${old.index}/${old.term} by ${repl ? `${repl.index}/${repl.term}` : 'nothing'}`,
        );
      }
    }
    let prev = prevTerm;
    for (const e of entries) {
      if (prev !== undefined && e.term < prev) {
        throw new Violation('log-terms', `n${id} persisted entry ${e.index} with term ${e.term} after an entry of term ${prev}`);
      }
      const h = hashBytes(e.data);
      const key = e.index * TERM_STRIDE + e.term;
      const s = this.seen.get(key);
      if (s === undefined) {
        this.seen.set(key, { hash: h, prevTerm: prev, node: id });
      } else {
        if (s.hash !== h) {
          throw new Violation(
            'log-matching',
            `entry ${e.index}/${e.term}: n${id} persisted data ${hex32(h)} but n${s.node} has data ${hex32(s.hash)}`,
          );
        }
        if (s.prevTerm !== undefined && prev !== undefined && s.prevTerm !== prev) {
          throw new Violation(
            'log-matching',
            `entry ${e.index}/${e.term}: n${id} has it after an entry of term ${prev}, n${s.node} after an entry of term ${s.prevTerm}`,
          );
        }
        if (s.prevTerm === undefined) s.prevTerm = prev;
      }
      prev = e.term;
    }
  }

  onHardState(id: NodeId, before: HardState, after: HardState): void {
    if (after.term < before.term) {
      throw new Violation('term-regression', `n${id} persisted term ${after.term} after term ${before.term}`);
    }
    if (after.term === before.term && before.vote !== 0 && after.vote !== before.vote) {
      throw new Violation('double-vote', `n${id} changed its vote in term ${after.term} from n${before.vote} to ${after.vote ? `n${after.vote}` : 'none'}`);
    }
    if (after.commit < before.commit) {
      throw new Violation('commit-regression', `n${id} persisted commit ${after.commit} after commit ${before.commit}`);
    }
  }

  /** Node `id`, in term `nodeTerm`, applied `e`, reaching state hash `stateHash`. */
  onApply(id: NodeId, e: Entry, stateHash: number, nodeTerm: number): void {
    const h = hashBytes(e.data);
    this.stats.applied++;
    if (e.index <= this.maxApplied) {
      this.committedBy[e.index] = Math.min(this.committedBy[e.index]!, nodeTerm);
      if (this.canonTerm[e.index] !== e.term || this.canonData[e.index] !== h) {
        throw new Violation(
          'state-machine-safety',
          `n${id} applied ${e.index}/${e.term} (data ${hex32(h)}) but entry ${e.index} was applied elsewhere as ${e.index}/${this.canonTerm[e.index]} (data ${hex32(this.canonData[e.index]!)})`,
        );
      }
      if (this.canonState[e.index] !== stateHash) {
        throw new Violation(
          'state-machine-safety',
          `n${id} reached state ${hex32(stateHash)} at ${e.index}, other nodes reached ${hex32(this.canonState[e.index]!)}`,
        );
      }
      return;
    }
    if (e.index !== this.maxApplied + 1) {
      // A node applies contiguously, so the first to reach an index has applied (or restored) everything before it.
      throw new Violation('apply-order', `n${id} applied ${e.index} but no node ever applied ${this.maxApplied + 1}`);
    }
    this.canonTerm.push(e.term);
    this.canonData.push(h);
    this.canonState.push(stateHash);
    this.committedBy.push(nodeTerm);
    this.maxApplied = e.index;
    if (e.type === EntryType.ConfChange) this.stats.confChanges++;
  }

  /** Node `id` restored its state machine from a snapshot at `index`. */
  onRestore(id: NodeId, index: number, term: number, stateHash: number): void {
    this.stats.snapshotsRestored++;
    if (index > this.maxApplied) {
      throw new Violation('snapshot-uncommitted', `n${id} restored a snapshot at ${index} but no node ever applied beyond ${this.maxApplied}`);
    }
    if (index > 0 && (this.canonTerm[index] !== term || this.canonState[index] !== stateHash)) {
      throw new Violation(
        'snapshot-state',
        `n${id} restored a snapshot at ${index}/${term} with state ${hex32(stateHash)}, but the state at ${index} is ${hex32(this.canonState[index]!)} (term ${this.canonTerm[index]})`,
      );
    }
  }

  canonicalTerm(index: number): number | undefined {
    return index <= this.maxApplied ? this.canonTerm[index] : undefined;
  }

  onWriteCompleted(index: number): void {
    this.stats.writesCompleted++;
    if (index > this.maxCompletedWrite) this.maxCompletedWrite = index;
  }

  onReadIssued(id: NodeId, context: string, now: number): void {
    this.stats.readsIssued++;
    this.reads.set(context, { node: id, context, issuedAt: now, minWrite: this.maxCompletedWrite, minCommitted: this.maxApplied });
  }

  /** The core answered a read; returns false for an unknown or already answered context. */
  onReadState(id: NodeId, rs: ReadState): boolean {
    const r = this.reads.get(rs.context);
    if (!r || r.node !== id || r.index !== undefined) return false;
    r.index = rs.index;
    if (rs.index < r.minCommitted) {
      throw new Violation(
        'linearizable-read',
        `read ${rs.context} on n${id} (issued at t=${r.issuedAt}) got read index ${rs.index}, but entry ${r.minCommitted} had been applied before the read was issued`,
      );
    }
    return true;
  }

  /** A read is served from a state machine at `applied` with state `stateHash`. */
  onReadServed(id: NodeId, context: string, applied: number, stateHash: number): void {
    const r = this.reads.get(context);
    if (!r) return;
    this.reads.delete(context);
    this.stats.readsServed++;
    if (applied < r.minWrite) {
      throw new Violation(
        'linearizable-read',
        `read ${context} on n${id} (issued at t=${r.issuedAt}) served state at ${applied}, but the write at ${r.minWrite} had completed before the read was issued`,
      );
    }
    if (this.canonState[applied] !== stateHash) {
      throw new Violation(
        'read-state',
        `read ${context} on n${id} served state ${hex32(stateHash)} at ${applied}, but the state at ${applied} is ${hex32(this.canonState[applied] ?? 0)}`,
      );
    }
  }

  onReadDropped(context: string): void {
    this.reads.delete(context);
  }
}
