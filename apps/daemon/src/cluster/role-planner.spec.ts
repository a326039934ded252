import { Role } from '@app/raft';
import { largestOddAtMost, type MemberLiveness, planRoleChange } from './role-planner';

const m = (id: number, role: Role, live = true): MemberLiveness => ({ id, role, live });

/** Applies planned changes until none is left (members that are live stay live). */
function settle(members: MemberLiveness[], leader: number, maxVoters = 3, maxStandby = 2): MemberLiveness[] {
  let current = members.map((x) => ({ ...x }));
  for (let i = 0; i < 20; i++) {
    const change = planRoleChange(current, leader, maxVoters, maxStandby);
    if (!change) return current;
    current = current.map((x) => (x.id === change.id ? { ...x, role: change.role } : x));
  }
  throw new Error('no stable role assignment');
}

const roles = (ms: MemberLiveness[]): Record<number, Role> => Object.fromEntries(ms.map((x) => [x.id, x.role]));

describe('planRoleChange', () => {
  it('keeps voters odd: 1 voter with 2 members, 3 with 3 or 4', () => {
    expect(largestOddAtMost(2)).toBe(1);
    expect(largestOddAtMost(4)).toBe(3);
    expect(roles(settle([m(1, Role.Voter), m(2, Role.Standby)], 1))).toEqual({ 1: Role.Voter, 2: Role.Standby });
    expect(roles(settle([m(1, Role.Voter), m(2, Role.Standby), m(3, Role.Standby)], 1))).toEqual({ 1: Role.Voter, 2: Role.Voter, 3: Role.Voter });
    expect(roles(settle([m(1, Role.Voter), m(2, Role.Voter), m(3, Role.Voter), m(4, Role.Standby)], 1))).toEqual({
      1: Role.Voter,
      2: Role.Voter,
      3: Role.Voter,
      4: Role.Standby,
    });
  });

  it('keeps up to max_standby standbys and makes the rest spares', () => {
    const out = settle([1, 2, 3, 4, 5, 6, 7].map((id) => m(id, id === 1 ? Role.Voter : Role.Standby)), 1);
    expect(Object.values(roles(out)).filter((r) => r === Role.Voter)).toHaveLength(3);
    expect(Object.values(roles(out)).filter((r) => r === Role.Standby)).toHaveLength(2);
    expect(Object.values(roles(out)).filter((r) => r === Role.Spare)).toHaveLength(2);
  });

  it('replaces a dead voter with a live standby, then demotes it', () => {
    const members = [m(1, Role.Voter), m(2, Role.Voter), m(3, Role.Voter, false), m(4, Role.Standby)];
    expect(planRoleChange(members, 1, 3, 2)).toMatchObject({ id: 4, role: Role.Voter });
    const after = settle(members, 1);
    expect(roles(after)).toEqual({ 1: Role.Voter, 2: Role.Voter, 3: Role.Spare, 4: Role.Voter });
  });

  it('brings a spare up through standby when no standby is left', () => {
    const members = [m(1, Role.Voter), m(2, Role.Voter), m(3, Role.Voter, false), m(4, Role.Spare)];
    expect(planRoleChange(members, 1, 3, 2)).toMatchObject({ id: 4, role: Role.Standby });
    expect(roles(settle(members, 1))).toEqual({ 1: Role.Voter, 2: Role.Voter, 3: Role.Spare, 4: Role.Voter });
  });

  it('keeps a dead voter when nobody can replace it (demoting it would not help quorum)', () => {
    expect(planRoleChange([m(1, Role.Voter), m(2, Role.Voter), m(3, Role.Voter, false)], 1, 3, 2)).toBeUndefined();
  });

  it('takes a returning member back as a standby', () => {
    const members = [m(1, Role.Voter), m(2, Role.Voter), m(3, Role.Spare), m(4, Role.Voter)];
    expect(roles(settle(members, 1))).toEqual({ 1: Role.Voter, 2: Role.Voter, 3: Role.Standby, 4: Role.Voter });
  });

  it('never demotes the leader and follows a lower max_voters', () => {
    const members = [1, 2, 3, 4, 5].map((id) => m(id, Role.Voter));
    const out = settle(members, 5, 3, 2);
    expect(roles(out)[5]).toBe(Role.Voter);
    expect(Object.values(roles(out)).filter((r) => r === Role.Voter)).toHaveLength(3);
  });
});
