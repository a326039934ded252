import { MemberResources, MemberState, PlacementOptions } from './types';

export const DEFAULT_MEMORY_WEIGHT = 2;
export const DEFAULT_CPU_WEIGHT = 1;

/**
 * Memory pressure: the used fraction of the member's memory, clamped to [0, 1]; undefined when the member did
 * not report both a positive total and the used amount.
 */
export function memoryPressure(resources: MemberResources | undefined): number | undefined {
  const total = resources?.memoryTotal;
  const used = resources?.memoryUsed;
  if (total === undefined || used === undefined || !(total > 0) || !Number.isFinite(used)) return undefined;
  return clampFraction(used / total);
}

/**
 * CPU pressure: the reported busy fraction (`cpuUsage`) if there is one, otherwise the one-minute load average
 * per logical CPU (`cpuLoad / cpuCount`), clamped to [0, 1]; undefined when neither can be computed.
 */
export function cpuPressure(resources: MemberResources | undefined): number | undefined {
  const usage = resources?.cpuUsage;
  if (usage !== undefined && Number.isFinite(usage)) return clampFraction(usage);
  const load = resources?.cpuLoad;
  const count = resources?.cpuCount;
  if (load === undefined || count === undefined || !(count > 0) || !Number.isFinite(load)) return undefined;
  return clampFraction(load / count);
}

/**
 * The resource-aware score of each candidate (lower is better):
 *
 *     score = (instances + 1) × (1 + memoryWeight × memoryPressure + cpuWeight × cpuPressure)
 *
 * `instances` includes pending creations. Both pressures are fractions in [0, 1] (see memoryPressure and
 * cpuPressure), so an idle member scores `instances + 1` and a member whose memory and CPUs are both full scores
 * `(instances + 1) × (1 + memoryWeight + cpuWeight)`. With equal pressures everywhere the order is the plain
 * instance-count order; the multiplication keeps the trade-off the same however many instances the members run.
 *
 * A candidate that did not report a pressure is given the mean of that pressure over the candidates that did
 * (so it is neither preferred nor avoided for the missing value); when no candidate reported it, the term is 0.
 * Scores are rounded to 9 decimal places so that equal inputs compare equal and the tie-breaks decide.
 */
export function resourceScores(
  candidates: readonly MemberState[],
  instanceCounts: ReadonlyMap<string, number>,
  options: PlacementOptions = {},
): Map<string, number> {
  const memoryWeight = options.memoryWeight ?? DEFAULT_MEMORY_WEIGHT;
  const cpuWeight = options.cpuWeight ?? DEFAULT_CPU_WEIGHT;
  if (!(memoryWeight >= 0 && Number.isFinite(memoryWeight)) || !(cpuWeight >= 0 && Number.isFinite(cpuWeight))) {
    throw new RangeError(`resource weights must be finite and non-negative (memory ${memoryWeight}, cpu ${cpuWeight})`);
  }
  const memory = candidates.map((c) => memoryPressure(c.resources));
  const cpu = candidates.map((c) => cpuPressure(c.resources));
  const memoryFallback = meanOfReported(memory);
  const cpuFallback = meanOfReported(cpu);

  const scores = new Map<string, number>();
  candidates.forEach((candidate, i) => {
    const instances = instanceCounts.get(candidate.name) ?? candidate.instances;
    const pressure = memoryWeight * (memory[i] ?? memoryFallback) + cpuWeight * (cpu[i] ?? cpuFallback);
    scores.set(candidate.name, roundScore((instances + 1) * (1 + pressure)));
  });
  return scores;
}

function meanOfReported(values: readonly (number | undefined)[]): number {
  const reported = values.filter((v): v is number => v !== undefined);
  return reported.length ? reported.reduce((a, b) => a + b, 0) / reported.length : 0;
}

function clampFraction(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function roundScore(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
