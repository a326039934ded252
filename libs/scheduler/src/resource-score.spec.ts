import { member } from '../test/member-fixture';
import { cpuPressure, memoryPressure, resourceScores } from './resource-score';

const GiB = 1024 ** 3;

describe('memoryPressure', () => {
  it('is the used fraction of total memory, clamped to [0, 1]', () => {
    expect(memoryPressure({ memoryTotal: 8 * GiB, memoryUsed: 2 * GiB })).toBe(0.25);
    expect(memoryPressure({ memoryTotal: 8 * GiB, memoryUsed: 10 * GiB })).toBe(1);
    expect(memoryPressure({ memoryTotal: 8 * GiB, memoryUsed: -1 })).toBe(0);
  });

  it('is undefined without a positive total and a used amount', () => {
    expect(memoryPressure(undefined)).toBeUndefined();
    expect(memoryPressure({})).toBeUndefined();
    expect(memoryPressure({ memoryTotal: 8 * GiB })).toBeUndefined();
    expect(memoryPressure({ memoryUsed: GiB })).toBeUndefined();
    expect(memoryPressure({ memoryTotal: 0, memoryUsed: 0 })).toBeUndefined();
    expect(memoryPressure({ memoryTotal: 8 * GiB, memoryUsed: NaN })).toBeUndefined();
  });
});

describe('cpuPressure', () => {
  it('prefers the reported busy fraction over the load average', () => {
    expect(cpuPressure({ cpuUsage: 0.3, cpuLoad: 8, cpuCount: 4 })).toBe(0.3);
    expect(cpuPressure({ cpuUsage: 1.7 })).toBe(1);
  });

  it('falls back to the load average per CPU, clamped to [0, 1]', () => {
    expect(cpuPressure({ cpuLoad: 1, cpuCount: 4 })).toBe(0.25);
    expect(cpuPressure({ cpuLoad: 9, cpuCount: 4 })).toBe(1);
  });

  it('is undefined when neither the usage nor a load with a CPU count was reported', () => {
    expect(cpuPressure(undefined)).toBeUndefined();
    expect(cpuPressure({ cpuCount: 4 })).toBeUndefined();
    expect(cpuPressure({ cpuLoad: 1 })).toBeUndefined();
    expect(cpuPressure({ cpuLoad: 1, cpuCount: 0 })).toBeUndefined();
  });
});

describe('resourceScores', () => {
  const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

  it('is (instances + 1) × (1 + 2 × memory pressure + 1 × CPU pressure) by default', () => {
    const a = member('a', { resources: { memoryTotal: 4 * GiB, memoryUsed: 2 * GiB, cpuUsage: 0.25 } });
    const b = member('b', { resources: { memoryTotal: 4 * GiB, memoryUsed: 0, cpuLoad: 0, cpuCount: 2 } });
    const scores = resourceScores([a, b], counts({ a: 2, b: 5 }));
    expect(scores.get('a')).toBe(6.75); // 3 × (1 + 2 × 0.5 + 1 × 0.25)
    expect(scores.get('b')).toBe(6);
  });

  it('uses the given weights', () => {
    const a = member('a', { resources: { memoryTotal: 4 * GiB, memoryUsed: GiB, cpuUsage: 0.5 } });
    expect(resourceScores([a], counts({ a: 1 }), { memoryWeight: 4, cpuWeight: 0 }).get('a')).toBe(2 * (1 + 1));
    expect(resourceScores([a], counts({ a: 1 }), { memoryWeight: 0, cpuWeight: 0 }).get('a')).toBe(2);
  });

  it('gives a member without a reported pressure the mean of the members that reported it', () => {
    const a = member('a', { resources: { memoryTotal: 10, memoryUsed: 2, cpuUsage: 0.1 } });
    const b = member('b', { resources: { memoryTotal: 10, memoryUsed: 6 } });
    const c = member('c');
    const scores = resourceScores([a, b, c], counts({ a: 0, b: 0, c: 0 }));
    // b: 1 × (1 + 2 × 0.6 + 1 × 0.1), its CPU taken as the mean over a alone (0.1)
    expect(scores.get('b')).toBe(2.3);
    // c: 1 × (1 + 2 × 0.4 + 1 × 0.1), its memory taken as the mean of a and b ((0.2 + 0.6) / 2)
    expect(scores.get('c')).toBe(1.9);
  });

  it('reduces to instances + 1 when no member reported anything', () => {
    const scores = resourceScores([member('a'), member('b')], counts({ a: 3, b: 0 }));
    expect([...scores]).toEqual([
      ['a', 4],
      ['b', 1],
    ]);
  });

  it('rounds so that equal pressures reached by different sums tie exactly', () => {
    const a = member('a', { resources: { memoryTotal: 10, memoryUsed: 3 } });
    const b = member('b', { resources: { memoryTotal: 10, memoryUsed: 1 } });
    const c = member('c', { resources: { memoryTotal: 10, memoryUsed: 2 } });
    const d = member('d');
    const scores = resourceScores([a, b, c, d], counts({ a: 0, b: 0, c: 0, d: 0 }));
    expect(scores.get('d')).toBe(scores.get('c'));
    expect(scores.get('d')).toBe(1.4);
  });

  it('takes a member missing from the counts at its own instance count', () => {
    expect(resourceScores([member('a', { instances: 4 })], new Map()).get('a')).toBe(5);
  });

  it('rejects negative or non-finite weights', () => {
    expect(() => resourceScores([member('a')], counts({ a: 0 }), { memoryWeight: -1 })).toThrow(RangeError);
    expect(() => resourceScores([member('a')], counts({ a: 0 }), { cpuWeight: Infinity })).toThrow(RangeError);
    expect(() => resourceScores([member('a')], counts({ a: 0 }), { cpuWeight: NaN })).toThrow(RangeError);
  });
});
