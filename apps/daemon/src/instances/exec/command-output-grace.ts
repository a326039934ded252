/**
 * The output of a command that has exited: what is left in its pipes is still delivered, but a
 * process it left in the background may hold them open for good. So the output gets a grace period
 * to reach its end, after which the streams are cut.
 */
import type { Readable } from 'node:stream';

export const DEFAULT_OUTPUT_GRACE_MS = 5000;

/**
 * Resolves once every `delivered` promise has (each resolves when its stream was delivered to its
 * end); after `graceMs`, the `streams` still open are destroyed first.
 */
export async function outputAfterExit(delivered: Promise<void>[], streams: readonly (Readable | null)[], graceMs = DEFAULT_OUTPUT_GRACE_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'cut'>((resolve) => (timer = setTimeout(() => resolve('cut'), graceMs)));
  const result = await Promise.race([Promise.all(delivered), grace]);
  clearTimeout(timer);
  if (result === 'cut') {
    for (const stream of streams) stream?.destroy();
    await Promise.all(delivered);
  }
}
