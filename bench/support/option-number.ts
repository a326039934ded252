/** A numeric command-line option of the benchmarks: `fallback` when absent, else a finite number ≥ 0. */
export function nonNegativeOption(name: string, text: string | undefined, fallback: number): number {
  const v = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number ≥ 0, not "${text}"`);
  return v;
}
