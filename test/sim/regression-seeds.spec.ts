import { runSeed, SeedOptions } from './run-seed';

/**
 * Seeds that once exposed a bug (or a deliberately broken rule) in the Raft core.
 * Each must keep passing; replay one with `npm run sim -- --seed S --trace [flags]`.
 */
const REGRESSIONS: { why: string; opts: SeedOptions }[] = [
  { why: 'first seed reported with the current-term commit rule disabled (now a plain seed; the Figure 8 scenario tests cover that rule)', opts: { seed: 14449 } },
  { why: 'stale Vote dropped silently: a candidate never learned the newer term (pre-vote off)', opts: { seed: 3690 } },
  { why: 'stale Vote dropped silently, second case', opts: { seed: 17347 } },
  { why: 'stale Vote dropped silently, third case', opts: { seed: 17373 } },
  { why: 'stale Vote dropped silently, in a long fault phase', opts: { seed: 101016, steps: 10000 } },
  { why: 'lease read served by a leader already cut off from its quorum', opts: { seed: 6, leaseReads: true } },
];

describe('simulation regression seeds', () => {
  it.each(REGRESSIONS)('$why (seed $opts.seed)', ({ opts }) => {
    const r = runSeed({ ...opts, keep: 200 });
    if (!r.ok) throw new Error(`seed ${r.seed}: ${r.invariant}: ${r.details}\n${r.traceTail.join('\n')}`);
    expect(r.ok).toBe(true);
    expect(r.stats.entriesCommitted).toBeGreaterThan(0);
  });
});
