/**
 * Seeded pseudo-random numbers for the simulator. Everything random in a simulated run (the
 * workload, the faults, the network, and every node's `config.random`) derives from the seed, so
 * a seed replays exactly. xoshiro128** seeded through splitmix32.
 */

/** splitmix32: a 32-bit mixing step; also used to derive independent stream seeds. */
function splitmix32(state: number): { state: number; value: number } {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return { state, value: z >>> 0 };
}

/** A 32-bit seed derived from a list of numbers (e.g. seed, stream id, node id, incarnation). */
export function deriveSeed(...parts: number[]): number {
  let state = 0x243f6a88;
  for (const part of parts) {
    state = splitmix32((state ^ (part | 0)) | 0).value | 0;
    state = splitmix32((state ^ Math.floor(part / 4294967296)) | 0).value | 0;
  }
  return state >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let st = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = splitmix32(st);
      st = r.state;
      words.push(r.value | 0);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty list');
    return items[this.int(items.length)]!;
  }

  /** Picks a key by weight; weights of 0 are never picked. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>, keys: readonly K[]): K {
    let total = 0;
    for (const k of keys) total += weights[k];
    let x = this.next() * total;
    for (const k of keys) {
      x -= weights[k];
      if (x < 0 && weights[k] > 0) return k;
    }
    return keys[keys.length - 1]!;
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }

  /** A `() => number` in [0, 1) for RaftConfig.random. */
  asFunction(): () => number {
    return () => this.next();
  }
}
