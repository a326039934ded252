import { member } from '../test/member-fixture';
import { memberLoads } from './member-load';
import { rankCandidates } from './ranking';
import { ClusterState } from './types';

const GiB = 1024 ** 3;

function rank(cluster: ClusterState, placementGroup?: string, resourceAware = false) {
  return rankCandidates(cluster.members, memberLoads(cluster), placementGroup, { resourceAware });
}

describe('rankCandidates', () => {
  it('puts the member with the fewest instances first', () => {
    const cluster = {
      members: [member('n1', { instances: 3 }), member('n2', { instances: 1 }), member('n3', { instances: 2 })],
    };
    expect(rank(cluster).map((r) => r.member)).toEqual(['n2', 'n3', 'n1']);
  });

  it('counts pending creations like instances', () => {
    const cluster = {
      members: [member('n1', { instances: 1 }), member('n2', { instances: 0 })],
      pending: [{ member: 'n2' }, { member: 'n2' }],
    };
    expect(rank(cluster)).toEqual([
      { member: 'n1', placementGroupInstances: 0, instances: 1, score: 1 },
      { member: 'n2', placementGroupInstances: 0, instances: 2, score: 2 },
    ]);
  });

  it('breaks ties by name in code-unit order, whatever the input order', () => {
    const members = [member('n2'), member('n10'), member('b'), member('B'), member('a')];
    expect(rank({ members }).map((r) => r.member)).toEqual(['B', 'a', 'b', 'n10', 'n2']);
    expect(rank({ members: [...members].reverse() }).map((r) => r.member)).toEqual(['B', 'a', 'b', 'n10', 'n2']);
  });

  describe('anti-affinity', () => {
    const cluster: ClusterState = {
      members: [
        member('n1', { instances: 0, placementGroups: { db: 2 } }),
        member('n2', { instances: 9, placementGroups: { db: 0, web: 5 } }),
        member('n3', { instances: 4, placementGroups: { db: 1 } }),
        member('n4', { instances: 2 }),
      ],
      pending: [{ member: 'n4', placementGroup: 'db' }],
    };

    it('prefers the members with the fewest instances of the same placement group, then the normal order', () => {
      const ranking = rank(cluster, 'db');
      expect(ranking.map((r) => [r.member, r.placementGroupInstances, r.instances])).toEqual([
        ['n2', 0, 9],
        ['n4', 1, 3],
        ['n3', 1, 4],
        ['n1', 2, 0],
      ]);
    });

    it('ignores placement groups when the request has none', () => {
      expect(rank(cluster).map((r) => r.member)).toEqual(['n1', 'n4', 'n3', 'n2']);
      expect(rank(cluster).every((r) => r.placementGroupInstances === 0)).toBe(true);
    });

    it('treats a group no member has yet as zero everywhere', () => {
      expect(rank(cluster, 'cache').map((r) => r.member)).toEqual(['n1', 'n4', 'n3', 'n2']);
    });
  });

  describe('resource-aware', () => {
    it('avoids a member short of memory even when it has fewer instances', () => {
      const cluster = {
        members: [
          member('full', { instances: 2, resources: { memoryTotal: 16 * GiB, memoryUsed: 15 * GiB } }),
          member('roomy', { instances: 4, resources: { memoryTotal: 16 * GiB, memoryUsed: 2 * GiB } }),
        ],
      };
      expect(rank(cluster).map((r) => r.member)).toEqual(['full', 'roomy']);
      const aware = rank(cluster, undefined, true);
      expect(aware.map((r) => r.member)).toEqual(['roomy', 'full']);
      expect(aware.map((r) => r.score)).toEqual([6.25, 8.625]); // 5 × (1 + 2 × 0.125), 3 × (1 + 2 × 0.9375)
    });

    it('keeps the plain order when all members are under the same pressure', () => {
      const resources = { memoryTotal: 8 * GiB, memoryUsed: 4 * GiB, cpuUsage: 0.5 };
      const cluster = {
        members: [
          member('n1', { instances: 3, resources }),
          member('n2', { instances: 1, resources }),
          member('n3', { instances: 2, resources }),
        ],
      };
      expect(rank(cluster, undefined, true).map((r) => r.member)).toEqual(['n2', 'n3', 'n1']);
    });

    it('breaks equal scores by instance count, then by name', () => {
      // idle with 3 instances: 4 × 1 = 4; 1 instance with full memory and CPU at weights 0.5/0.5: 2 × 2 = 4
      const cluster = {
        members: [
          member('z-idle', { instances: 3, resources: { memoryTotal: 1, memoryUsed: 0, cpuUsage: 0 } }),
          member('busy', { instances: 1, resources: { memoryTotal: 1, memoryUsed: 1, cpuUsage: 1 } }),
          member('a-idle', { instances: 3, resources: { memoryTotal: 1, memoryUsed: 0, cpuUsage: 0 } }),
        ],
      };
      const ranking = rankCandidates(cluster.members, memberLoads(cluster), undefined, {
        resourceAware: true,
        memoryWeight: 0.5,
        cpuWeight: 0.5,
      });
      expect(ranking.map((r) => [r.member, r.score])).toEqual([
        ['busy', 4],
        ['a-idle', 4],
        ['z-idle', 4],
      ]);
    });

    it('still ranks anti-affinity before the resource score', () => {
      const cluster = {
        members: [
          member('n1', { placementGroups: { db: 1 }, resources: { memoryTotal: 1, memoryUsed: 0 } }),
          member('n2', { resources: { memoryTotal: 1, memoryUsed: 1 } }),
        ],
      };
      expect(rank(cluster, 'db', true).map((r) => r.member)).toEqual(['n2', 'n1']);
    });
  });
});
