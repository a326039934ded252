/** Latency samples in milliseconds and their summary. */
export class LatencyRecorder {
  private samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  /** The q-quantile (0..1) by the nearest-rank method; NaN without samples. */
  quantile(q: number): number {
    if (this.samples.length === 0) return NaN;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank];
  }

  summary(): { p50_ms: number; p99_ms: number; max_ms: number } {
    const round = (v: number): number => Math.round(v * 1000) / 1000;
    return { p50_ms: round(this.quantile(0.5)), p99_ms: round(this.quantile(0.99)), max_ms: round(this.quantile(1)) };
  }
}

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
