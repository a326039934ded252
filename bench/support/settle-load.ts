/**
 * Runs a load in one-second windows until its rate settles: a new daemon process runs its code
 * slowly until the JavaScript engine has optimised it (a fresh Cubed cluster served POST
 * /1.0/profiles at 380 req/s in its first 1,000 requests and at 600–700 req/s after about 3,000,
 * measured with the same client), so loads measured right after the start would measure the
 * start-up, not the daemon. Settled: at least `minRequests` were answered (a rate can stay flat
 * for a few seconds before it rises) and the last `stableWindows` windows are within `tolerance`
 * of each other. Gives up (settled: false) after `maxMs`.
 */
import { type LoadSpec, runLoad } from './keepalive-load';

export interface SettleOptions {
  windowMs: number;
  stableWindows: number;
  /** Largest spread of the stable windows, relative to their mean (0.1: 10 %). */
  tolerance: number;
  minRequests: number;
  maxMs: number;
}

export interface SettleResult {
  settled: boolean;
  /** Requests per second of each window, in order. */
  windows: number[];
  requests: number;
}

/** More requests than one client completes in a window. */
const SEQ_PER_WINDOW = 1_000_000;

export const DEFAULT_SETTLE: SettleOptions = { windowMs: 1000, stableWindows: 3, tolerance: 0.1, minRequests: 3000, maxMs: 30_000 };

/** Whether the last `n` rates are within `tolerance` (relative to their mean) of each other. */
export function hasSettled(rates: readonly number[], n: number, tolerance: number): boolean {
  if (rates.length < n) return false;
  const last = rates.slice(-n);
  const mean = last.reduce((a, b) => a + b, 0) / n;
  if (mean <= 0) return false;
  return (Math.max(...last) - Math.min(...last)) / mean <= tolerance;
}

export async function settleLoad(spec: Omit<LoadSpec, 'warmupMs' | 'durationMs'>, o: SettleOptions = DEFAULT_SETTLE): Promise<SettleResult> {
  const windows: number[] = [];
  let requests = 0;
  for (let spent = 0; spent < o.maxMs; spent += o.windowMs) {
    // Each window's sequence numbers go on from the last window's, so that requests stay unique.
    const base = windows.length * SEQ_PER_WINDOW;
    const r = await runLoad({ ...spec, warmupMs: 0, durationMs: o.windowMs, next: (client, seq) => spec.next(client, base + seq) });
    if (r.errors > 0) throw new Error(`the warm-up load failed: ${r.first_error}`);
    windows.push(r.req_per_s);
    requests += r.requests;
    if (requests >= o.minRequests && hasSettled(windows, o.stableWindows, o.tolerance)) return { settled: true, windows, requests };
  }
  return { settled: false, windows, requests };
}
