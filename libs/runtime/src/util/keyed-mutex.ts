/**
 * Mutual exclusion per key (per instance name): operations on one instance run one at a time, in the
 * order they were requested; operations on different instances run concurrently.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task for any of `keys` has finished. */
  async run<T>(keys: string | readonly string[], task: () => Promise<T>): Promise<T> {
    const list = [...new Set(typeof keys === 'string' ? [keys] : keys)].sort();
    const previous = list.map((key) => this.tails.get(key) ?? Promise.resolve());
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of list) this.tails.set(key, done);
    try {
      await Promise.all(previous);
      return await task();
    } finally {
      release();
      for (const key of list) if (this.tails.get(key) === done) this.tails.delete(key);
    }
  }
}
