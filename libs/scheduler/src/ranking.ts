import type { MemberLoad } from './member-load';
import { resourceScores } from './resource-score';
import { MemberState, PlacementOptions, RankedCandidate } from './types';

/**
 * Orders the candidates best first. The keys, compared in turn (all ascending):
 * 1. with a `placementGroup` (anti-affinity), the member's instances of that group;
 * 2. the score: the instance count, or the resource-aware score when `options.resourceAware` is set;
 * 3. the instance count;
 * 4. the member name, by UTF-16 code units (so `n10` sorts before `n2`), which makes the order total.
 * Instance counts include pending creations (`loads`).
 */
export function rankCandidates(
  candidates: readonly MemberState[],
  loads: ReadonlyMap<string, MemberLoad>,
  placementGroup: string | undefined,
  options: PlacementOptions = {},
): RankedCandidate[] {
  const instanceCounts = new Map(candidates.map((c) => [c.name, loads.get(c.name)?.instances ?? c.instances]));
  const scores = options.resourceAware ? resourceScores(candidates, instanceCounts, options) : instanceCounts;
  const ranked = candidates.map((c): RankedCandidate => ({
    member: c.name,
    placementGroupInstances: placementGroup ? (loads.get(c.name)?.placementGroups.get(placementGroup) ?? 0) : 0,
    instances: instanceCounts.get(c.name)!,
    score: scores.get(c.name)!,
  }));
  return ranked.sort(compareRanked);
}

function compareRanked(a: RankedCandidate, b: RankedCandidate): number {
  return (
    a.placementGroupInstances - b.placementGroupInstances ||
    a.score - b.score ||
    a.instances - b.instances ||
    (a.member < b.member ? -1 : a.member > b.member ? 1 : 0)
  );
}
