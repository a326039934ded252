import { member } from '../test/member-fixture';
import { selectCandidates } from './candidates';
import { MemberState } from './types';

const names = (ms: MemberState[]) => ms.map((m) => m.name);

describe('selectCandidates', () => {
  it('accepts every online member with scheduler.instance=all, in input order', () => {
    const members = [member('n3'), member('n1', { schedulerInstance: 'all' }), member('n2')];
    const { eligible, excluded } = selectCandidates(members, { kind: 'any' }, undefined);
    expect(names(eligible)).toEqual(['n3', 'n1', 'n2']);
    expect(excluded).toEqual([]);
  });

  it('excludes offline and evacuated members, and treats an unknown status as offline', () => {
    const members = [
      member('n1'),
      member('n2', { status: 'Offline' }),
      member('n3', { status: 'Evacuated' }),
      member('n4', { status: 'Blocked' as MemberState['status'] }),
    ];
    const { eligible, excluded } = selectCandidates(members, { kind: 'any' }, undefined);
    expect(names(eligible)).toEqual(['n1']);
    expect(excluded).toEqual([
      { member: 'n2', reason: { kind: 'offline' } },
      { member: 'n3', reason: { kind: 'evacuated' } },
      { member: 'n4', reason: { kind: 'offline' } },
    ]);
  });

  it('never uses a manual member, not even for a target naming its group', () => {
    const members = [member('n1', { schedulerInstance: 'manual', groups: ['g'] }), member('n2', { groups: ['g'] })];
    for (const target of [{ kind: 'any' } as const, { kind: 'group', name: 'g' } as const]) {
      const { eligible, excluded } = selectCandidates(members, target, undefined);
      expect(names(eligible)).toEqual(['n2']);
      expect(excluded).toEqual([{ member: 'n1', reason: { kind: 'scheduler-manual' } }]);
    }
  });

  it('uses a scheduler.instance=group member only when one of its groups is targeted', () => {
    const members = [member('n1', { schedulerInstance: 'group', groups: ['default', 'gpu'] }), member('n2')];
    const untargeted = selectCandidates(members, { kind: 'any' }, undefined);
    expect(names(untargeted.eligible)).toEqual(['n2']);
    expect(untargeted.excluded).toEqual([{ member: 'n1', reason: { kind: 'scheduler-group' } }]);

    const gpu = selectCandidates(members, { kind: 'group', name: 'gpu' }, undefined);
    expect(names(gpu.eligible)).toEqual(['n1']);
    expect(gpu.excluded).toEqual([{ member: 'n2', reason: { kind: 'not-in-group', group: 'gpu' } }]);

    const byDefault = selectCandidates(members, { kind: 'group', name: 'default' }, undefined);
    expect(names(byDefault.eligible)).toEqual(['n1', 'n2']);
  });

  it('keeps only the members of a targeted group', () => {
    const members = [
      member('n1', { groups: ['a'] }),
      member('n2', { groups: ['a', 'b'] }),
      member('n3', { groups: [] }),
    ];
    const { eligible, excluded } = selectCandidates(members, { kind: 'group', name: 'b' }, undefined);
    expect(names(eligible)).toEqual(['n2']);
    expect(excluded.map((e) => e.member)).toEqual(['n1', 'n3']);
    expect(excluded[0].reason).toEqual({ kind: 'not-in-group', group: 'b' });
  });

  it('matches the requested architecture against every architecture a member supports', () => {
    const members = [
      member('amd', { architectures: ['x86_64', 'i686'] }),
      member('arm', { architectures: ['aarch64', 'armv7l'] }),
      member('none', { architectures: [] }),
    ];
    expect(names(selectCandidates(members, { kind: 'any' }, 'i686').eligible)).toEqual(['amd']);
    expect(names(selectCandidates(members, { kind: 'any' }, 'armv7l').eligible)).toEqual(['arm']);
    expect(names(selectCandidates(members, { kind: 'any' }, undefined).eligible)).toEqual(['amd', 'arm', 'none']);
    expect(selectCandidates(members, { kind: 'any' }, 'aarch64').excluded).toEqual([
      { member: 'amd', reason: { kind: 'architecture', architecture: 'aarch64' } },
      { member: 'none', reason: { kind: 'architecture', architecture: 'aarch64' } },
    ]);
  });

  it('reports the first failing rule: status, then group, then scheduler.instance, then architecture', () => {
    const members = [
      member('a', { status: 'Offline', schedulerInstance: 'manual', architectures: ['aarch64'], groups: [] }),
      member('b', { status: 'Evacuated', schedulerInstance: 'manual', groups: [] }),
      member('c', { schedulerInstance: 'manual', architectures: ['aarch64'], groups: [] }),
      member('d', { schedulerInstance: 'manual', architectures: ['aarch64'], groups: ['g'] }),
      member('e', { schedulerInstance: 'group', architectures: ['aarch64'] }),
      member('f', { architectures: ['aarch64'], groups: ['g'] }),
    ];
    const grouped = selectCandidates(members, { kind: 'group', name: 'g' }, 'x86_64');
    expect(grouped.excluded.map((e) => [e.member, e.reason.kind])).toEqual([
      ['a', 'offline'],
      ['b', 'evacuated'],
      ['c', 'not-in-group'],
      ['d', 'scheduler-manual'],
      ['e', 'not-in-group'],
      ['f', 'architecture'],
    ]);
    const untargeted = selectCandidates(members, { kind: 'any' }, 'x86_64');
    expect(untargeted.excluded.map((e) => e.reason.kind)).toEqual([
      'offline',
      'evacuated',
      'scheduler-manual',
      'scheduler-manual',
      'scheduler-group',
      'architecture',
    ]);
  });
});
