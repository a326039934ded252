import { RaftNodeRole } from '@app/db';
import { ClusterConfigError } from './cluster-config-error';
import { sameRaftNodes, validateClusterConfig } from './cluster-config-validation';

const CURRENT = [
  { id: 1, address: '10.0.0.1:8443', role: RaftNodeRole.Voter, name: 'm1' },
  { id: 2, address: '10.0.0.2:8443', role: RaftNodeRole.Voter, name: '' },
  { id: 3, address: '10.0.0.3:8443', role: RaftNodeRole.Spare, name: 'm3' },
];
const SELF = CURRENT[0];

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClusterConfigError) return err.problems;
    throw err;
  }
  throw new Error('no ClusterConfigError');
}

describe('validateClusterConfig', () => {
  it('takes new addresses and roles, keeps a name left out and takes a name that was unknown', () => {
    const next = validateClusterConfig(CURRENT, SELF, [
      { id: 3, address: '10.0.0.3:8443', role: RaftNodeRole.Standby, name: '' },
      { id: 1, address: '[fd42::1]:8443', role: RaftNodeRole.Voter, name: '' },
      { id: 2, address: 'm2.example:8443', role: RaftNodeRole.Voter, name: 'm2' },
    ]);
    expect(next).toEqual([
      { id: 1, address: '[fd42::1]:8443', role: RaftNodeRole.Voter, name: 'm1' },
      { id: 2, address: 'm2.example:8443', role: RaftNodeRole.Voter, name: 'm2' },
      { id: 3, address: '10.0.0.3:8443', role: RaftNodeRole.Standby, name: 'm3' },
    ]);
    expect(sameRaftNodes(next, CURRENT)).toBe(false);
    expect(sameRaftNodes([...CURRENT].reverse(), CURRENT)).toBe(true);
  });

  it('lets a cluster of two run with one voter, not one of three', () => {
    const two = CURRENT.slice(0, 2);
    expect(validateClusterConfig(two, SELF, [two[0], { ...two[1], role: RaftNodeRole.Standby }])).toHaveLength(2);
    expect(problems(() => validateClusterConfig(CURRENT, SELF, [CURRENT[0], { ...CURRENT[1], role: RaftNodeRole.Spare }, CURRENT[2]]))).toEqual([
      'a cluster of 3 members needs at least 2 voters',
    ]);
  });

  it('lists every problem at once', () => {
    expect(
      problems(() =>
        validateClusterConfig(CURRENT, SELF, [
          { id: 2, address: '10.0.0.1:8443', role: RaftNodeRole.Spare, name: 'other' },
          { id: 2, address: '10.0.0.9:8443', role: RaftNodeRole.Voter, name: '' },
          { id: 3, address: '10.0.0.3:8443', role: RaftNodeRole.Voter, name: 'm3' },
          { id: 7, address: '10.0.0.7:8443', role: RaftNodeRole.Spare, name: '' },
        ]),
      ),
    ).toEqual([
      'member 2 appears more than once',
      'this member (id 1, m1) is missing: it must stay in the configuration',
      'adding cluster members is not supported (unknown id 7); member ids cannot change',
      'member 3: a spare cannot become a voter (it holds no up-to-date copy of the database); make it a stand-by first',
      'a cluster of 3 members needs at least 2 voters',
    ]);
    expect(problems(() => validateClusterConfig(CURRENT, SELF, CURRENT.map((n) => ({ ...n, role: RaftNodeRole.Standby }))))).toEqual([
      'at least one member must be a voter',
    ]);
  });
});
