import { KeyedMutex } from './keyed-mutex';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedMutex', () => {
  it('runs tasks for one key one at a time, in order, and other keys concurrently', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const gate = deferred();
    const first = mutex.run('a', async () => {
      events.push('a1 start');
      await gate.promise;
      events.push('a1 end');
    });
    const second = mutex.run('a', async () => {
      events.push('a2');
    });
    const other = mutex.run('b', async () => {
      events.push('b');
    });
    await other;
    expect(events).toEqual(['a1 start', 'b']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('holds several keys at once and releases after a failure', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run(['x', 'y'], async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const events: string[] = [];
    const gate = deferred();
    const both = mutex.run(['y', 'x'], async () => {
      await gate.promise;
      events.push('xy');
    });
    const onlyX = mutex.run('x', async () => {
      events.push('x');
      return 42;
    });
    gate.resolve();
    expect(await onlyX).toBe(42);
    await both;
    expect(events).toEqual(['xy', 'x']);
  });
});
