import * as os from 'node:os';
import type { Databases } from '../database/databases';
import type { EventBus } from '../events/event-bus';
import { MemberIdentity } from './member-identity';

type Consistency = 'linearizable' | 'local';

/** A clustered member whose linearizable reads answer only when the test says so. */
function member(localName: string) {
  const pending: { resolve: (rows: { id: number; name: string }[]) => void; reject: (err: Error) => void }[] = [];
  const reads: Consistency[] = [];
  const databases = {
    clustered: true,
    clusterState: () => ({ address: '10.0.0.3:8443', self: { name: 'm3' } }),
    global: {
      query: (_sql: string, _params: unknown[], opts: { consistency?: Consistency } = {}) => {
        const consistency = opts.consistency ?? 'linearizable';
        reads.push(consistency);
        if (consistency === 'local') return Promise.resolve([{ id: 3, name: localName }]);
        return new Promise((resolve, reject) => pending.push({ resolve, reject }));
      },
    },
  } as unknown as Databases;
  const locations: string[] = [];
  const events = { setLocation: (name: string) => locations.push(name) } as unknown as EventBus;
  const identity = new MemberIdentity(databases, events);
  return { identity, pending, reads, locations };
}

/** A standalone server whose `nodes` table already has its row. */
function standalone() {
  const databases = {
    clustered: false,
    clusterState: () => undefined,
    global: { query: () => Promise.resolve([{ 1: 1 }]) },
  } as unknown as Databases;
  const locations: string[] = [];
  const events = { setLocation: (name: string) => locations.push(name) } as unknown as EventBus;
  return { identity: new MemberIdentity(databases, events), locations };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('MemberIdentity at start-up', () => {
  afterEach(() => jest.useRealTimers());

  it('takes its name from its own replica without waiting for the leader, then corrects it from the cluster', async () => {
    const m = member('m3');
    const listener = jest.fn();
    m.identity.onRefresh(listener);
    let known = false;
    void m.identity.whenKnown().then(() => (known = true));
    await settle();
    expect(known).toBe(false);
    await m.identity.start(() => undefined);
    await settle();
    expect(known).toBe(true);
    expect(m.identity.name).toBe('m3');
    expect(m.identity.id).toBe(3);
    expect(m.reads).toEqual(['local', 'linearizable']);
    expect(listener).not.toHaveBeenCalled(); // the listeners wait for the linearizable answer
    m.pending[0].resolve([{ id: 3, name: 'renamed-while-away' }]);
    await settle();
    expect(m.identity.name).toBe('renamed-while-away');
    expect(m.locations.at(-1)).toBe('renamed-while-away');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('is located at its name from the start, never at the host name', async () => {
    const m = member('m3');
    expect(m.identity.location).toBe('m3'); // what the local database says, before start()
    await m.identity.start(() => undefined);
    expect(m.identity.location).toBe('m3');
    expect(new Set(m.locations)).toEqual(new Set(['m3']));
  });

  it('tries a failed refresh again until it succeeds, telling each failure', async () => {
    jest.useFakeTimers();
    const m = member('m3');
    const errors: string[] = [];
    await m.identity.start((err) => errors.push(err.message));
    m.pending[0].reject(new Error('no leader'));
    await jest.advanceTimersByTimeAsync(0);
    expect(errors).toEqual(['no leader']);
    await jest.advanceTimersByTimeAsync(2000);
    expect(m.pending).toHaveLength(2);
    m.pending[1].resolve([{ id: 3, name: 'm3' }]);
    await jest.advanceTimersByTimeAsync(5000);
    expect(m.pending).toHaveLength(2);
    expect(errors).toEqual(['no leader']);
  });

  it('keeps the answer of the refresh that started last, whichever answers first', async () => {
    const m = member('m3');
    await m.identity.start(() => undefined);
    const later = m.identity.refresh(); // a rename, say
    m.pending[1].resolve([{ id: 3, name: 'new-name' }]);
    await later;
    m.pending[0].resolve([{ id: 3, name: 'm3' }]); // the start-up refresh answers late
    await settle();
    expect(m.identity.name).toBe('new-name');
  });

  it('stops trying once the daemon stops', async () => {
    jest.useFakeTimers();
    const m = member('m3');
    const errors: string[] = [];
    await m.identity.start((err) => errors.push(err.message));
    m.identity.onApplicationShutdown();
    m.pending[0].reject(new Error('closed'));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(errors).toEqual([]);
    expect(m.pending).toHaveLength(1);
  });
});

describe('MemberIdentity of a standalone server', () => {
  it('is named after the host, and its events and operations are located at "none", as in LXD', async () => {
    const m = standalone();
    await m.identity.start(() => undefined);
    expect(m.identity.name).toBe(os.hostname());
    expect(m.identity.location).toBe('none');
    expect(m.identity.node).toEqual({ id: 1, name: 'none' });
    expect(m.locations).not.toContain(os.hostname());
    expect(m.locations.at(-1)).toBe('none');
  });
});
