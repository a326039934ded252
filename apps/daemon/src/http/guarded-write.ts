/**
 * The write of an object that is read first (PUT and PATCH with LXD's ETags). One round reads the
 * object, checks If-Match against it and writes guarded by the state it read: the replicated
 * transaction checks the guard, so a writer that got there first makes the round fail with a 412.
 *
 * With If-Match, that 412 is the client's answer: the object is no longer the one it named.
 * Without, the round is done again on the fresh state, after a short random pause so that writers
 * of the same object stop colliding, until it succeeds or `timeoutMs` has passed. So no write is
 * lost, and none is refused for a precondition the client did not set.
 */
export interface GuardedWriteOptions {
  /** The client's If-Match, if it sent one. */
  ifMatch: string | undefined;
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** The longest pause between two rounds. */
const MAX_PAUSE_MS = 20;

function lostRace(err: unknown): boolean {
  return (err as { statusCode?: number } | undefined)?.statusCode === 412;
}

export async function guardedWrite<T>(round: () => Promise<T>, opts: GuardedWriteOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = opts.random ?? Math.random;
  const deadline = now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await round();
    } catch (err) {
      if (!lostRace(err) || opts.ifMatch !== undefined || now() >= deadline) throw err;
    }
    await sleep(random() * Math.min(MAX_PAUSE_MS, attempt));
  }
}
