/**
 * Durations in seconds and their summary: the median (the mean of the two middle samples for an
 * even count), p90 by the nearest-rank method, min, max and the count. Without samples every
 * figure is null.
 */
export interface SampleSummary {
  median_s: number | null;
  p90_s: number | null;
  min_s: number | null;
  max_s: number | null;
  n: number;
}

export const roundSeconds = (s: number): number => Math.round(s * 1000) / 1000;

export function summarize(seconds: number[]): SampleSummary {
  const n = seconds.length;
  if (n === 0) return { median_s: null, p90_s: null, min_s: null, max_s: null, n };
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const p90 = sorted[Math.min(n - 1, Math.max(0, Math.ceil(0.9 * n) - 1))];
  return { median_s: roundSeconds(median), p90_s: roundSeconds(p90), min_s: roundSeconds(sorted[0]), max_s: roundSeconds(sorted[n - 1]), n };
}
