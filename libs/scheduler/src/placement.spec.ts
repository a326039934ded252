import { member } from '../test/member-fixture';
import { thrown } from '../test/thrown';
import {
  ClusterGroupNotFoundError,
  InvalidTargetError,
  NoSuitableMemberError,
  PlacementError,
  TargetMemberError,
} from './errors';
import { placeInstance } from './placement';
import { ClusterState } from './types';

function placementError(fn: () => unknown): PlacementError {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(PlacementError);
  return err as PlacementError;
}

describe('placeInstance', () => {
  const cluster: ClusterState = {
    members: [
      member('n1', { instances: 4 }),
      member('n2', { instances: 1, status: 'Offline' }),
      member('n3', { instances: 0, schedulerInstance: 'manual' }),
      member('n4', { instances: 2, architectures: ['aarch64'], groups: ['default', 'arm'] }),
      member('n5', { instances: 0, schedulerInstance: 'group', groups: ['arm'] }),
      member('n6', { instances: 3 }),
      member('n7', { instances: 0, status: 'Evacuated' }),
    ],
  };

  describe('without a target', () => {
    it('chooses the eligible member with the fewest instances', () => {
      const placement = placeInstance(cluster, {});
      expect(placement.member).toBe('n4');
      expect(placement.targeted).toBe(false);
      expect(placement.ranking.map((r) => r.member)).toEqual(['n4', 'n6', 'n1']);
    });

    it('counts pending creations', () => {
      const placement = placeInstance({ ...cluster, pending: [{ member: 'n4' }, { member: 'n4' }] }, {});
      expect(placement.member).toBe('n6');
    });

    it('only considers members of the requested architecture', () => {
      expect(placeInstance(cluster, { architecture: 'x86_64' }).member).toBe('n6');
      expect(placeInstance(cluster, { architecture: 'aarch64' }).member).toBe('n4');
      expect(placeInstance(cluster, { architecture: '' }).member).toBe('n4');
    });

    it('spreads a placement group before balancing instance counts', () => {
      const spread = {
        members: [member('n1', { instances: 0, placementGroups: { db: 1 } }), member('n2', { instances: 5 })],
      };
      expect(placeInstance(spread, { config: { 'placement.group': 'db' } }).member).toBe('n2');
      expect(placeInstance(spread, { config: { 'placement.group': '' } }).member).toBe('n1');
      expect(placeInstance(spread, { config: { 'limits.cpu': '2' } }).member).toBe('n1');
    });

    it('uses the resource-aware score only when asked to', () => {
      const members = [
        member('n1', { instances: 1, resources: { memoryTotal: 100, memoryUsed: 95 } }),
        member('n2', { instances: 2, resources: { memoryTotal: 100, memoryUsed: 10 } }),
      ];
      expect(placeInstance({ members }, {}).member).toBe('n1');
      expect(placeInstance({ members }, {}, { resourceAware: false }).member).toBe('n1');
      const aware = placeInstance({ members }, {}, { resourceAware: true });
      expect(aware.member).toBe('n2');
      expect(aware.ranking.map((r) => r.score)).toEqual([3.6, 5.8]);
    });
  });

  describe('with a cluster group target', () => {
    it('chooses among the group members, including scheduler.instance=group ones', () => {
      const placement = placeInstance(cluster, { target: '@arm' });
      expect(placement.member).toBe('n5');
      expect(placement.targeted).toBe(false);
      expect(placement.ranking.map((r) => r.member)).toEqual(['n5', 'n4']);
    });

    it('fails for an unknown group', () => {
      const err = placementError(() => placeInstance(cluster, { target: '@gpu' }));
      expect(err).toBeInstanceOf(ClusterGroupNotFoundError);
      expect(err.message).toBe('Cluster group "gpu" not found');
      expect(err.status).toBe(404);
    });

    it('knows a group without members from the cluster group list and explains why nothing fits', () => {
      const err = placementError(() => placeInstance({ ...cluster, groups: ['default', 'gpu'] }, { target: '@gpu' }));
      expect(err).toBeInstanceOf(NoSuitableMemberError);
      expect(err.message).toBe(
        'No suitable cluster member: n1 is not in cluster group gpu; n2 is offline; n3 is not in cluster group gpu; ' +
          'n4 is not in cluster group gpu; n5 is not in cluster group gpu; n6 is not in cluster group gpu; n7 is evacuated',
      );
    });

    it('rejects "@" alone', () => {
      expect(thrown(() => placeInstance(cluster, { target: '@' }))).toBeInstanceOf(InvalidTargetError);
    });
  });

  describe('with a member target', () => {
    it('places on the target even when others have fewer instances or its scheduler.instance is manual or group', () => {
      for (const target of ['n1', 'n3', 'n5']) {
        expect(placeInstance(cluster, { target })).toEqual({ member: target, targeted: true, ranking: [] });
      }
    });

    it('ignores placement groups and resources for a target', () => {
      const members = [
        member('n1', { placementGroups: { db: 3 }, resources: { memoryTotal: 1, memoryUsed: 1 } }),
        member('n2'),
      ];
      const request = { target: 'n1', config: { 'placement.group': 'db' } };
      expect(placeInstance({ members }, request, { resourceAware: true }).member).toBe('n1');
    });

    it('accepts a target supporting the requested architecture among several', () => {
      const members = [member('n1', { architectures: ['x86_64', 'i686'] })];
      expect(placeInstance({ members }, { target: 'n1', architecture: 'i686' }).member).toBe('n1');
    });

    it.each([
      ['n9', undefined, 'not-found', 404, 'Cluster member "n9" not found'],
      ['n2', undefined, 'offline', 400, 'Target cluster member "n2" is offline'],
      ['n7', undefined, 'evacuated', 400, 'Target cluster member "n7" is evacuated'],
      [
        'n4',
        'x86_64',
        'architecture',
        400,
        'Target cluster member "n4" does not support architecture "x86_64" (supported: aarch64)',
      ],
    ])('refuses target %s (architecture %s): %s', (target, architecture, problem, status, message) => {
      const err = placementError(() => placeInstance(cluster, { target, architecture }));
      expect(err).toBeInstanceOf(TargetMemberError);
      expect((err as TargetMemberError).problem).toBe(problem);
      expect((err as TargetMemberError).member).toBe(target);
      expect(err.status).toBe(status);
      expect(err.message).toBe(message);
    });

    it('names a member without architectures in the error', () => {
      const err = placementError(() =>
        placeInstance({ members: [member('n1', { architectures: [] })] }, { target: 'n1', architecture: 'x86_64' }),
      );
      expect(err.message).toBe('Target cluster member "n1" does not support architecture "x86_64" (supported: none)');
    });
  });

  describe('without a suitable member', () => {
    it('says why each member was excluded', () => {
      const members = [member('n2', { status: 'Offline' }), member('n3', { schedulerInstance: 'manual' })];
      const err = placementError(() => placeInstance({ members }, {}));
      expect(err).toBeInstanceOf(NoSuitableMemberError);
      expect(err.message).toBe('No suitable cluster member: n2 is offline; n3 has scheduler.instance=manual');
      expect(err.status).toBe(400);
      expect((err as NoSuitableMemberError).exclusions).toEqual([
        { member: 'n2', reason: { kind: 'offline' } },
        { member: 'n3', reason: { kind: 'scheduler-manual' } },
      ]);
    });

    it('names every kind of exclusion', () => {
      const err = placementError(() => placeInstance(cluster, { architecture: 'riscv64' }));
      expect(err.message).toBe(
        'No suitable cluster member: n1 does not support architecture riscv64; n2 is offline; ' +
          'n3 has scheduler.instance=manual; n4 does not support architecture riscv64; ' +
          'n5 has scheduler.instance=group and no cluster group was targeted; ' +
          'n6 does not support architecture riscv64; n7 is evacuated',
      );
    });

    it('says so when the cluster has no members', () => {
      const err = placementError(() => placeInstance({ members: [] }, {}));
      expect(err.message).toBe('No suitable cluster member: the cluster has no members');
    });
  });
});
