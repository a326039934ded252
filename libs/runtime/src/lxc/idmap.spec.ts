import { chooseIdmap, parseSubordinateIds } from './idmap';

describe('chooseIdmap', () => {
  it("uses root's delegated ranges", () => {
    const subuid = parseSubordinateIds('alice:100000:65536\nroot:1000000:1000000000\n');
    const subgid = parseSubordinateIds('root:2000000:65536\n');
    expect(chooseIdmap(subuid, subgid)).toEqual({ idmap: { hostUid: 1000000, hostGid: 2000000, size: 65536 }, delegated: true });
  });

  it('picks a range above every delegated one when root has none', () => {
    expect(chooseIdmap([], [])).toEqual({ idmap: { hostUid: 1000000, hostGid: 1000000, size: 65536 }, delegated: false });
    const subuid = parseSubordinateIds('# comment\nalice:1000000:100000\nbroken line\nbob:x:y\n');
    expect(chooseIdmap(subuid, [])).toEqual({ idmap: { hostUid: 1100000, hostGid: 1100000, size: 65536 }, delegated: false });
    expect(chooseIdmap(parseSubordinateIds('root:100000:1000\n'), parseSubordinateIds('root:100000:1000\n')).delegated).toBe(false);
  });

  it('checks a configured map against the delegations', () => {
    const ranges = parseSubordinateIds('root:100000:200000\n');
    expect(chooseIdmap(ranges, ranges, { hostUid: 165536, hostGid: 165536, size: 65536 }).delegated).toBe(true);
    expect(chooseIdmap(ranges, ranges, { hostUid: 265536, hostGid: 165536, size: 65536 }).delegated).toBe(false);
    expect(() => chooseIdmap([], [], { hostUid: 0, hostGid: 1, size: 1 })).toThrow(/above 0/);
  });
});
