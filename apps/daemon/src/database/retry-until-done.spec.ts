import { retryUntilDone } from './retry-until-done';

describe('retryUntilDone', () => {
  afterEach(() => jest.useRealTimers());

  it('tries again after each failure, telling it, until the task succeeds', async () => {
    jest.useFakeTimers();
    let tries = 0;
    const errors: string[] = [];
    const done = retryUntilDone(
      async () => {
        if (++tries < 3) throw new Error(`try ${tries}`);
      },
      { onError: (err) => errors.push(err.message), stopped: () => false, pauseMs: 100 },
    );
    await jest.advanceTimersByTimeAsync(250);
    await done;
    expect(tries).toBe(3);
    expect(errors).toEqual(['try 1', 'try 2']);
  });

  it('gives up quietly once stopped', async () => {
    jest.useFakeTimers();
    let stopped = false;
    let tries = 0;
    const errors: string[] = [];
    const done = retryUntilDone(
      async () => {
        tries++;
        stopped = true;
        throw new Error('closed');
      },
      { onError: (err) => errors.push(err.message), stopped: () => stopped, pauseMs: 100 },
    );
    await jest.advanceTimersByTimeAsync(1000);
    await done;
    expect(tries).toBe(1);
    expect(errors).toEqual([]);
  });
});
