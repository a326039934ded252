/**
 * The event trace of a simulated run: one line per event. Lines are kept in a ring buffer (the
 * tail is printed when a seed fails), optionally printed as they happen (`--trace`) and
 * optionally hashed (to compare two runs of a seed).
 */
import { EntryType, type Message } from '../../libs/raft/src/types';
import { FNV_OFFSET, fnvString } from './fnv';

export interface TraceOptions {
  /** Lines kept for the failure report. */
  keep?: number;
  /** Called with every line as it is recorded. */
  print?: (line: string) => void;
  /** Maintain a hash of every line (determinism checks). */
  hash?: boolean;
}

export class Trace {
  private readonly ring: string[];
  private readonly times: number[];
  private next = 0;
  private count = 0;
  private h = FNV_OFFSET;
  private readonly keep: number;
  private readonly print?: (line: string) => void;
  private readonly hashing: boolean;

  constructor(opts: TraceOptions = {}) {
    this.keep = opts.keep ?? 200;
    this.ring = new Array<string>(this.keep);
    this.times = new Array<number>(this.keep).fill(0);
    this.print = opts.print;
    this.hashing = opts.hash ?? false;
  }

  add(now: number, line: string): void {
    if (this.keep > 0) {
      this.ring[this.next] = line;
      this.times[this.next] = now;
      this.next = (this.next + 1) % this.keep;
    }
    this.count++;
    if (this.hashing || this.print) {
      const full = format(now, line);
      if (this.hashing) this.h = fnvString(this.h, full);
      if (this.print) this.print(full);
    }
  }

  get lines(): number {
    return this.count;
  }

  get hash(): number {
    return this.h;
  }

  /** The last `keep` lines, oldest first. */
  tail(): string[] {
    const n = Math.min(this.count, this.keep);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const at = (this.next - n + i + this.keep) % this.keep;
      out.push(format(this.times[at]!, this.ring[at]!));
    }
    return out;
  }
}

function format(now: number, line: string): string {
  return `${String(now).padStart(7)} ${line}`;
}

/** A compact one-line description of a Raft message. */
export function describeMessage(m: Message): string {
  let s = `${m.type} ${m.from}->${m.to} t${m.term}`;
  if (m.index !== undefined || m.logTerm !== undefined) s += ` at=${m.index ?? '?'}/${m.logTerm ?? '?'}`;
  if (m.entries && m.entries.length > 0) {
    const f = m.entries[0]!;
    const l = m.entries[m.entries.length - 1]!;
    s += ` entries=${f.index}/${f.term}..${l.index}/${l.term}`;
    if (m.entries.some((e) => e.type === EntryType.ConfChange)) s += '(+conf)';
  }
  if (m.commit !== undefined) s += ` commit=${m.commit}`;
  if (m.reject) s += ' REJECT';
  if (m.hintIndex !== undefined || m.hintTerm !== undefined) s += ` hint=${m.hintIndex ?? '?'}/${m.hintTerm ?? '?'}`;
  if (m.transfer) s += ' transfer';
  if (m.snapshot) {
    const c = m.snapshot;
    s += ` snap=${c.meta.index}/${c.meta.term} [${c.offset}+${c.data.length}/${c.total}]${c.done ? ' done' : ''}`;
  }
  if (m.context !== undefined) s += ` ctx=${m.context}`;
  return s;
}
