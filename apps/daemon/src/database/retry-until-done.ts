/**
 * Start-up work that needs the cluster database (a leader, a quorum) must not hold up the daemon's
 * start, nor be given up because the cluster was not reachable yet: it runs in the background and
 * is tried again every `pauseMs` until it succeeds or the daemon stops. `onError` hears of each
 * failed try.
 */
export interface RetryUntilDoneOptions {
  onError: (err: Error) => void;
  /** Whether the daemon is stopping: no more tries (and no error for the try under way). */
  stopped: () => boolean;
  pauseMs?: number;
}

const RETRY_PAUSE_MS = 2000;

export async function retryUntilDone(task: () => Promise<void>, opts: RetryUntilDoneOptions): Promise<void> {
  while (!opts.stopped()) {
    try {
      await task();
      return;
    } catch (err) {
      if (opts.stopped()) return;
      opts.onError(err as Error);
      await new Promise((r) => setTimeout(r, opts.pauseMs ?? RETRY_PAUSE_MS).unref());
    }
  }
}
