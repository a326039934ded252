import { GoTime } from './go-yaml';
import { sortKeysDeep, toGoJson, toGoYaml } from './go-shapes';
import { ClusterMember, Operation, Server } from './lxd-shapes';

describe('Go shapes', () => {
  it('orders fields as the Go struct declares them and fills zero values', () => {
    const json = toGoJson({ url: 'https://x', server_name: 'n1', extra: 1 }, ClusterMember);
    expect(Object.keys(json as object)).toEqual([
      'roles',
      'failure_domain',
      'description',
      'config',
      'groups',
      'server_name',
      'url',
      'database',
      'status',
      'message',
      'architecture',
    ]);
    expect(json).toMatchObject({ roles: null, config: null, database: false, server_name: 'n1' });
    const yaml = toGoYaml({}, ClusterMember) as Record<string, unknown>;
    expect(yaml).toMatchObject({ roles: [], config: {}, groups: [], status: '' });
  });

  it('sorts map keys, renames untagged Go fields for YAML and marks time fields', () => {
    const yaml = toGoYaml(
      {
        config: { b: '1', a: true },
        environment: { storage_supported_drivers: [{ Name: 'dir', Version: '1', Remote: false }] },
      },
      Server,
    ) as {
      config: object;
      environment: { storage_supported_drivers: object[] };
    };
    expect(Object.keys(yaml.config)).toEqual(['a', 'b']);
    expect(yaml.environment.storage_supported_drivers).toEqual([{ name: 'dir', version: '1', remote: false }]);
    const op = toGoYaml({ created_at: '2026-01-01T00:00:00.100Z', metadata: null }, Operation) as {
      created_at: GoTime;
      metadata: object;
    };
    expect(op.created_at).toEqual(new GoTime('2026-01-01T00:00:00.1Z'));
    expect(op.metadata).toEqual({});
    expect((toGoJson({}, Operation) as { created_at: string }).created_at).toBe('0001-01-01T00:00:00Z');
  });

  it('sorts the keys of generic values deeply', () => {
    expect(JSON.stringify(sortKeysDeep({ b: [{ d: 1, c: 2 }], a: null }))).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});
