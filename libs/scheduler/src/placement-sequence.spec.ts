import { member } from '../test/member-fixture';
import { thrown } from '../test/thrown';
import { ClusterGroupNotFoundError, NoSuitableMemberError } from './errors';
import { placeInstances } from './placement-sequence';
import { ClusterState, MemberState, MemberStatus, PlacementRequest, SchedulerInstance } from './types';

/** mulberry32: a small deterministic PRNG returning floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function randomCluster(random: () => number): ClusterState {
  const size = 1 + Math.floor(random() * 8);
  const members: MemberState[] = [];
  for (let i = 0; i < size; i++) {
    members.push(
      member(`m${Math.floor(random() * 1000)}-${i}`, {
        status: pick<MemberStatus>(random, ['Online', 'Online', 'Online', 'Offline', 'Evacuated']),
        schedulerInstance: pick<SchedulerInstance>(random, ['all', 'all', 'all', 'manual', 'group']),
        architectures: pick(random, [['x86_64'], ['x86_64', 'i686'], ['aarch64']]),
        groups: pick(random, [['default'], ['default', 'fast'], ['fast']]),
        instances: Math.floor(random() * 6),
      }),
    );
  }
  return { members };
}

/** The placement rules restated independently of the implementation. */
function eligible(m: MemberState, request: PlacementRequest): boolean {
  const group = request.target?.startsWith('@') ? request.target.slice(1) : undefined;
  const mode = m.schedulerInstance ?? 'all';
  return (
    m.status === 'Online' &&
    mode !== 'manual' &&
    (mode !== 'group' || (group !== undefined && m.groups.includes(group))) &&
    (group === undefined || m.groups.includes(group)) &&
    (!request.architecture || m.architectures.includes(request.architecture))
  );
}

function countBy(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

describe('placeInstances', () => {
  it('spreads 8 launches on 4 equal members 2/2/2/2, round-robin by name', () => {
    const cluster = { members: [member('n3'), member('n1'), member('n4'), member('n2')] };
    const placed = placeInstances(
      cluster,
      Array.from({ length: 8 }, () => ({})),
    ).map((p) => p.member);
    expect(placed).toEqual(['n1', 'n2', 'n3', 'n4', 'n1', 'n2', 'n3', 'n4']);
  });

  it('fills the emptiest members first', () => {
    const cluster = { members: [member('n1', { instances: 3 }), member('n2'), member('n3', { instances: 1 })] };
    const placed = placeInstances(
      cluster,
      Array.from({ length: 5 }, () => ({})),
    ).map((p) => p.member);
    expect(placed).toEqual(['n2', 'n2', 'n3', 'n2', 'n3']);
  });

  it('starts from the pending creations and leaves the input unchanged', () => {
    const cluster: ClusterState = { members: [member('n1'), member('n2')], pending: [{ member: 'n1' }] };
    const before = structuredClone(cluster);
    expect(placeInstances(cluster, [{}, {}, {}]).map((p) => p.member)).toEqual(['n2', 'n1', 'n2']);
    expect(cluster).toEqual(before);
  });

  it('counts targeted placements too', () => {
    const cluster = { members: [member('n1'), member('n2')] };
    const placed = placeInstances(cluster, [{ target: 'n1' }, { target: 'n1' }, {}, {}, {}]).map((p) => p.member);
    expect(placed).toEqual(['n1', 'n1', 'n2', 'n2', 'n1']);
  });

  it('keeps placement-group counts up to date for anti-affinity', () => {
    const cluster = {
      members: [member('n1', { instances: 0 }), member('n2', { instances: 10 }), member('n3', { instances: 10 })],
    };
    const db = { config: { 'placement.group': 'db' } };
    const placed = placeInstances(cluster, [db, db, db, {}, db]).map((p) => p.member);
    expect(placed).toEqual(['n1', 'n2', 'n3', 'n1', 'n1']);
  });

  it('throws the error of the first request that cannot be placed', () => {
    const cluster = { members: [member('n1')] };
    const err = thrown(() => placeInstances(cluster, [{}, { architecture: 'aarch64' }, {}]));
    expect(err).toBeInstanceOf(NoSuitableMemberError);
    expect((err as Error).message).toBe('No suitable cluster member: n1 does not support architecture aarch64');
  });

  describe('over random clusters (seeded)', () => {
    const seeds = Array.from({ length: 300 }, (_, i) => i + 1);

    it('places only on eligible members and keeps every member that received one within one of the least loaded', () => {
      for (const seed of seeds) {
        const random = prng(seed);
        const cluster = randomCluster(random);
        const request: PlacementRequest = {
          target: pick(random, [undefined, undefined, '@fast', '@default']),
          architecture: pick(random, [undefined, 'x86_64', 'i686', 'aarch64']),
        };
        const count = 1 + Math.floor(random() * 40);
        const candidates = cluster.members.filter((m) => eligible(m, request));
        if (candidates.length === 0) {
          const group = request.target?.slice(1);
          const groupExists = !group || cluster.members.some((m) => m.groups.includes(group));
          const expected = groupExists ? NoSuitableMemberError : ClusterGroupNotFoundError;
          expect(thrown(() => placeInstances(cluster, [request]))).toBeInstanceOf(expected);
          continue;
        }

        const placed = placeInstances(
          cluster,
          Array.from({ length: count }, () => request),
        ).map((p) => p.member);
        const received = countBy(placed);
        expect(placed).toHaveLength(count);
        for (const name of received.keys()) expect(candidates.map((m) => m.name)).toContain(name);

        const final = new Map(candidates.map((m) => [m.name, m.instances + (received.get(m.name) ?? 0)]));
        const least = Math.min(...final.values());
        for (const [name, instances] of final) {
          if (received.has(name)) expect(instances).toBeLessThanOrEqual(least + 1);
        }
        // the same input gives the same placements
        expect(
          placeInstances(
            cluster,
            Array.from({ length: count }, () => request),
          ).map((p) => p.member),
        ).toEqual(placed);
      }
    });

    it('ends at most one apart when the candidates start equal', () => {
      for (const seed of seeds) {
        const random = prng(seed);
        const start = Math.floor(random() * 5);
        const members = randomCluster(random).members.map((m) => ({ ...m, instances: start }));
        const candidates = members.filter((m) => eligible(m, {}));
        if (candidates.length === 0) continue;
        const count = candidates.length * (1 + Math.floor(random() * 4)) + Math.floor(random() * candidates.length);

        const received = countBy(
          placeInstances(
            { members },
            Array.from({ length: count }, () => ({})),
          ).map((p) => p.member),
        );
        const finals = candidates.map((m) => m.instances + (received.get(m.name) ?? 0));
        expect(Math.max(...finals) - Math.min(...finals)).toBeLessThanOrEqual(1);
        expect(finals.reduce((a, b) => a + b, 0)).toBe(start * candidates.length + count);
      }
    });

    it('spreads one placement group evenly whatever the instance counts', () => {
      for (const seed of seeds) {
        const random = prng(seed);
        const members = randomCluster(random).members.map((m) => ({
          ...m,
          status: 'Online' as const,
          schedulerInstance: 'all' as const,
        }));
        const count = 1 + Math.floor(random() * 30);
        const request = { config: { 'placement.group': 'db' } };

        const received = countBy(
          placeInstances(
            { members },
            Array.from({ length: count }, () => request),
          ).map((p) => p.member),
        );
        const perMember = members.map((m) => received.get(m.name) ?? 0);
        expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
      }
    });
  });
});
