import { member } from '../test/member-fixture';
import { memberLoads } from './member-load';
import { ClusterState } from './types';

describe('memberLoads', () => {
  it('adds pending creations to the instance and placement-group counts', () => {
    const cluster: ClusterState = {
      members: [member('n1', { instances: 3, placementGroups: { db: 2 } }), member('n2', { instances: 1 })],
      pending: [
        { member: 'n1' },
        { member: 'n1', placementGroup: 'db' },
        { member: 'n2', placementGroup: 'web' },
        { member: 'n2', placementGroup: 'web' },
      ],
    };
    const loads = memberLoads(cluster);
    expect(loads.get('n1')?.instances).toBe(5);
    expect([...loads.get('n1')!.placementGroups]).toEqual([['db', 3]]);
    expect(loads.get('n2')?.instances).toBe(3);
    expect([...loads.get('n2')!.placementGroups]).toEqual([['web', 2]]);
  });

  it('ignores pending creations on unknown members and leaves the input unchanged', () => {
    const n1 = member('n1', { instances: 1, placementGroups: { db: 1 } });
    const loads = memberLoads({
      members: [n1],
      pending: [
        { member: 'gone', placementGroup: 'db' },
        { member: 'n1', placementGroup: 'db' },
      ],
    });
    expect([...loads.keys()]).toEqual(['n1']);
    expect(loads.get('n1')?.instances).toBe(2);
    expect(loads.get('n1')?.placementGroups.get('db')).toBe(2);
    expect(n1).toEqual(member('n1', { instances: 1, placementGroups: { db: 1 } }));
  });
});
