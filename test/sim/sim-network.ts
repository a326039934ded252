/**
 * The simulated network: per-message fate (drop, duplicate, delay — random delays reorder
 * messages) and link state (partitions, including asymmetric one-way links). The cluster owns the
 * event queue; the network only decides what happens to each message it is handed.
 */
import type { Message, NodeId } from '../../libs/raft/src/types';
import type { Prng } from './prng';

export interface NetworkFaults {
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is delivered twice. */
  dupRate: number;
  /** Normal one-way delay, uniform in [minDelay, maxDelay] virtual ms. */
  minDelay: number;
  maxDelay: number;
  /** Probability of an extra delay of up to `slowDelay` (reorders messages across ticks). */
  slowRate: number;
  slowDelay: number;
}

export const CALM_NETWORK: NetworkFaults = {
  dropRate: 0,
  dupRate: 0,
  minDelay: 1,
  maxDelay: 10,
  slowRate: 0,
  slowDelay: 0,
};

/** Where a sent message goes: dropped, or delivered at one or more virtual times. */
export type MessageFate = { drop: string } | { deliverAt: number[] };

const LINK_KEY_STRIDE = 1 << 16;

function linkKey(from: NodeId, to: NodeId): number {
  return from * LINK_KEY_STRIDE + to;
}

export class SimNetwork {
  faults: NetworkFaults = { ...CALM_NETWORK };
  /** Directed links that are cut: from → to. */
  private readonly cut = new Set<number>();

  constructor(private readonly rng: Prng) {}

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.cut.size > 0 && this.cut.has(linkKey(from, to));
  }

  /** Cuts the one-way link from → to. */
  block(from: NodeId, to: NodeId): void {
    if (from !== to) this.cut.add(linkKey(from, to));
  }

  unblock(from: NodeId, to: NodeId): void {
    this.cut.delete(linkKey(from, to));
  }

  /** Cuts both directions between every pair of nodes in different groups. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (let g = 0; g < groups.length; g++) {
      for (let h = 0; h < groups.length; h++) {
        if (g === h) continue;
        for (const a of groups[g]!) for (const b of groups[h]!) this.block(a, b);
      }
    }
  }

  /** Cuts `id` off from every node in `others`, both directions. */
  isolate(id: NodeId, others: readonly NodeId[]): void {
    for (const o of others) {
      this.block(id, o);
      this.block(o, id);
    }
  }

  healAll(): void {
    this.cut.clear();
  }

  /** The cut links as "from->to" strings, sorted (for traces). */
  describeCuts(): string {
    const links = [...this.cut].sort((a, b) => a - b).map((k) => `${Math.floor(k / LINK_KEY_STRIDE)}->${k % LINK_KEY_STRIDE}`);
    return links.length ? links.join(' ') : 'none';
  }

  /** Decides the fate of a message sent at virtual time `now`. */
  fate(from: NodeId, to: NodeId, now: number): MessageFate {
    if (this.isBlocked(from, to)) return { drop: 'link cut' };
    const f = this.faults;
    if (this.rng.chance(f.dropRate)) return { drop: 'lost' };
    const times = [now + this.delay()];
    if (this.rng.chance(f.dupRate)) times.push(now + this.delay());
    return { deliverAt: times };
  }

  private delay(): number {
    const f = this.faults;
    let d = f.minDelay + this.rng.int(f.maxDelay - f.minDelay + 1);
    if (this.rng.chance(f.slowRate)) d += this.rng.int(f.slowDelay + 1);
    return d;
  }
}

/**
 * A deep copy, as a real transport would deliver: the receiver never shares objects (entry
 * arrays, data buffers, memberships) with the sender.
 */
export function cloneMessage(m: Message): Message {
  const c: Message = { ...m };
  if (m.entries) c.entries = m.entries.map((e) => ({ index: e.index, term: e.term, type: e.type, data: e.data.slice() }));
  if (m.snapshot) {
    const s = m.snapshot;
    c.snapshot = {
      meta: { index: s.meta.index, term: s.meta.term, membership: s.meta.membership.map((x) => ({ id: x.id, role: x.role })) },
      offset: s.offset,
      data: s.data.slice(),
      total: s.total,
      done: s.done,
    };
  }
  return c;
}
