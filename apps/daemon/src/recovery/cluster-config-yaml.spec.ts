import { RaftNodeRole } from '@app/db';
import { ClusterConfigError } from './cluster-config-error';
import { clusterConfigYaml, parseClusterConfigYaml } from './cluster-config-yaml';

const NODES = [
  { id: 2, address: '[fd42::2]:8443', role: RaftNodeRole.Standby, name: 'm2' },
  { id: 1, address: '10.0.0.1:8443', role: RaftNodeRole.Voter, name: 'm1' },
  { id: 3, address: '10.0.0.3:8443', role: RaftNodeRole.Spare, name: '' },
];

describe('the cluster configuration YAML', () => {
  it("is LXD's: a members list by id, the name left out when unknown, roles voter, stand-by and spare", () => {
    expect(clusterConfigYaml(NODES)).toBe(
      [
        'members:',
        '- id: 1',
        '  name: m1',
        '  address: 10.0.0.1:8443',
        '  role: voter',
        '- id: 2',
        '  name: m2',
        '  address: "[fd42::2]:8443"',
        '  role: stand-by',
        '- id: 3',
        '  address: 10.0.0.3:8443',
        '  role: spare',
        '',
      ].join('\n'),
    );
  });

  it('reads back what it writes, comments included', () => {
    expect(parseClusterConfigYaml(`# a comment\n\n${clusterConfigYaml(NODES)}`)).toEqual(
      [...NODES].sort((a, b) => a.id - b.id).map((n) => ({ id: n.id, name: n.name, address: n.address, role: n.role })),
    );
  });

  it('reports every problem of form, member by member', () => {
    const text = [
      'members:',
      '- id: 1',
      '  address: 10.0.0.1',
      '  role: leader',
      '- name: 7',
      '  address: 10.0.0.2:8443',
      '  role: voter',
      '- id: -3',
      '  address: 10.0.0.3:8443',
      '- just a string',
      'extra: true',
    ].join('\n');
    let error: unknown;
    try {
      parseClusterConfigYaml(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterConfigError);
    expect((error as ClusterConfigError).problems).toEqual([
      'unknown key "extra" (only "members" is known)',
      'member 1: invalid address "10.0.0.1": expected host:port',
      'member 1: unknown role "leader" (expected voter, stand-by, spare)',
      'member #2: the id is missing',
      'member #2: the name must be a string',
      'member #3: the id -3 is not a positive integer',
      'member #3: the role is missing (voter, stand-by, spare)',
      'member #4 is not a mapping of id, name, address and role',
    ]);
    expect((error as Error).message).toMatch(/^8 problems:\n {2}- unknown key "extra"/);
  });

  it.each([
    ['', 'the configuration has no "members" list'],
    ['members: 3', '"members" is not a list'],
    ['[1, 2]', 'the configuration has no "members" list'],
  ])('refuses %j', (text, message) => {
    expect(() => parseClusterConfigYaml(text)).toThrow(message);
  });

  it('refuses YAML that cannot be read, saying where', () => {
    expect(() => parseClusterConfigYaml('members:\n- id: 1\n  address: [oops\n')).toThrow(/^the YAML cannot be read: .* at line \d+, column \d+/);
  });
});
