import { guardedWrite } from './guarded-write';
import { badRequest, preconditionFailed } from './lxd-error';

/** A clock that only moves when the write pauses. */
function fakeTime() {
  let t = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: async (ms: number) => {
      pauses.push(ms);
      t += ms;
    },
    random: () => 0.5,
  };
}

/** A round that loses its race `losses` times, then returns 'done'. */
function racing(losses: number) {
  let rounds = 0;
  return {
    rounds: () => rounds,
    round: async () => {
      rounds++;
      if (rounds <= losses) throw preconditionFailed('The profile changed since it was read (ETag mismatch): read it again');
      return 'done';
    },
  };
}

describe('guardedWrite', () => {
  it('without If-Match, does the round again after each lost race until it succeeds', async () => {
    const time = fakeTime();
    const w = racing(30);
    await expect(guardedWrite(w.round, { ifMatch: undefined, ...time })).resolves.toBe('done');
    expect(w.rounds()).toBe(31);
    // Pauses grow with the attempts, up to 20 ms (times the random factor).
    expect(time.pauses.slice(0, 3)).toEqual([0.5, 1, 1.5]);
    expect(Math.max(...time.pauses)).toBe(10);
  });

  it('with If-Match, answers the first lost race with its 412', async () => {
    const w = racing(1);
    await expect(guardedWrite(w.round, { ifMatch: 'abc', ...fakeTime() })).rejects.toMatchObject({ statusCode: 412 });
    expect(w.rounds()).toBe(1);
  });

  it('gives up with the 412 once the time is over', async () => {
    const time = fakeTime();
    const w = racing(Infinity);
    await expect(guardedWrite(w.round, { ifMatch: undefined, timeoutMs: 100, ...time })).rejects.toMatchObject({ statusCode: 412 });
    expect(time.now()).toBeGreaterThanOrEqual(100);
  });

  it('does not retry other errors', async () => {
    let rounds = 0;
    const round = async () => {
      rounds++;
      throw badRequest('Invalid config');
    };
    await expect(guardedWrite(round, { ifMatch: undefined, ...fakeTime() })).rejects.toMatchObject({ statusCode: 400 });
    expect(rounds).toBe(1);
  });
});
