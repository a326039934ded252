/** Majority arithmetic over a set of voters. */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** The highest index that a majority of `matches` (one per voter) has reached. */
export function quorumIndex(matches: number[]): number {
  if (matches.length === 0) return 0;
  const sorted = [...matches].sort((a, b) => b - a);
  return sorted[majority(matches.length) - 1];
}
