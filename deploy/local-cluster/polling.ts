/** Waiting: a sleep, and polling a check until it gives a value or a deadline passes. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class PollTimeout extends Error {
  constructor(what: string, timeoutMs: number, last?: string) {
    super(`${what}: not reached within ${(timeoutMs / 1000).toFixed(1)} s${last ? ` (last seen: ${last})` : ''}`);
    this.name = 'PollTimeout';
  }
}

/**
 * Calls `check` every `intervalMs` until it returns a value other than undefined. A check that
 * throws counts as not there yet; its message is kept for the timeout error, as is `describe()`.
 */
export async function pollUntil<T>(what: string, timeoutMs: number, intervalMs: number, check: () => Promise<T | undefined>, describe?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = describe?.();
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new PollTimeout(what, timeoutMs, last);
    await sleep(intervalMs);
  }
}
