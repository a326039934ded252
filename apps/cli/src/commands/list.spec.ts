import { sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';

const network = (ipv4: string, ipv6: string) => ({
  eth0: {
    addresses: [
      { family: 'inet', address: ipv4, netmask: '24', scope: 'global' },
      { family: 'inet6', address: ipv6, netmask: '64', scope: 'global' },
      { family: 'inet6', address: 'fe80::1', netmask: '64', scope: 'link' },
    ],
    type: 'broadcast',
    state: 'up',
  },
  lo: { addresses: [{ family: 'inet', address: '127.0.0.1', netmask: '8', scope: 'local' }], type: 'loopback' },
});

const C1 = {
  name: 'c1',
  status: 'Running',
  status_code: 103,
  type: 'container',
  ephemeral: false,
  location: 'n1',
  architecture: 'x86_64',
  config: { 'user.comment': 'web server' },
  expanded_config: { 'security.privileged': 'true', 'user.comment': 'web server' },
  created_at: '2024-03-01T10:20:30Z',
  profiles: ['default'],
  state: { status: 'Running', status_code: 103, pid: 4242, processes: 7, network: network('240.1.0.2', 'fd42::2') },
  snapshots: [{ name: 'snap0' }, { name: 'snap1' }],
};

const WEB10 = {
  name: 'web10',
  status: 'Stopped',
  status_code: 102,
  type: 'container',
  ephemeral: true,
  location: 'n2',
  architecture: 'x86_64',
  config: {},
  expanded_config: {},
  created_at: '2024-03-02T08:00:00Z',
  profiles: ['default'],
  state: null,
  snapshots: null,
};

const WEB2 = {
  ...WEB10,
  name: 'web2',
  ephemeral: false,
  status: 'Running',
  status_code: 103,
  location: 'n1',
  state: { status: 'Running', status_code: 103, pid: 1, network: network('240.2.0.9', 'fd42::9') },
  snapshots: [],
};

const SERVER = (clustered: boolean, extensions: string[]) => ({
  api_extensions: extensions,
  environment: { server_clustered: clustered },
});

const lines = (...l: string[]) => l.map((x) => x + '\n').join('');

describe('cube list', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake
      .on('GET', '/1.0', sync(SERVER(true, ['container_full', 'api_filtering'])))
      .on('GET', '/1.0/instances', sync([WEB10, C1, WEB2]));
  });
  afterEach(() => t.close());

  it('shows NAME, STATE, IPV4, IPV6, TYPE, SNAPSHOTS and LOCATION from recursion=2', async () => {
    const r = await t.cube(['list']);
    expect(t.fake.sequence).toEqual(['GET /1.0', 'GET /1.0/instances?recursion=2']);
    expect(r.stdout).toBe(
      lines(
        '+-------+---------+------------------+----------------+-----------------------+-----------+----------+',
        '| NAME  |  STATE  |       IPV4       |      IPV6      |         TYPE          | SNAPSHOTS | LOCATION |',
        '+-------+---------+------------------+----------------+-----------------------+-----------+----------+',
        '| c1    | RUNNING | 240.1.0.2 (eth0) | fd42::2 (eth0) | CONTAINER             | 2         | n1       |',
        '+-------+---------+------------------+----------------+-----------------------+-----------+----------+',
        '| web2  | RUNNING | 240.2.0.9 (eth0) | fd42::9 (eth0) | CONTAINER             | 0         | n1       |',
        '+-------+---------+------------------+----------------+-----------------------+-----------+----------+',
        '| web10 | STOPPED |                  |                | CONTAINER (EPHEMERAL) | 0         | n2       |',
        '+-------+---------+------------------+----------------+-----------------------+-----------+----------+',
      ),
    );
  });

  it('prints csv, compact, json and yaml', async () => {
    expect((await t.cube(['list', '-f', 'csv', '-c', 'ns4'])).stdout).toBe(
      'c1,RUNNING,240.1.0.2 (eth0)\nweb2,RUNNING,240.2.0.9 (eth0)\nweb10,STOPPED,\n',
    );
    expect((await t.cube(['list', '--format', 'compact', '-c', 'nL'])).stdout).toBe(
      lines('  NAME   LOCATION  ', '  c1     n1        ', '  web2   n1        ', '  web10  n2        '),
    );
    const json = JSON.parse((await t.cube(['list', '-f', 'json', 'c1'])).stdout) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(Object.keys(json[0]).slice(0, 8)).toEqual([
      'architecture',
      'config',
      'devices',
      'ephemeral',
      'profiles',
      'stateful',
      'description',
      'created_at',
    ]);
    expect(json[0]).toMatchObject({ name: 'c1', backups: null, state: { pid: 4242, processes: 7 } });
    expect(json[0].snapshots).toHaveLength(2);
    expect((json[0].snapshots as Record<string, unknown>[])[0]).toMatchObject({ name: 'snap0', size: 0, config: null });
    const yaml = (await t.cube(['list', '-f', 'yaml', 'web10'])).stdout;
    expect(yaml).toMatch(/^- architecture: x86_64\n/);
    expect(yaml).toContain('\n  name: web10\n');
    expect(yaml).toContain('\n  state: null\n');
    expect((await t.cube(['list', '-f', 'xml'])).stderr).toBe('Error: Invalid format "xml"\n');
  });

  it('filters by name prefix or regular expression, shorthands and abbreviated config keys', async () => {
    t.fake.on('GET', '/1.0', sync(SERVER(true, ['container_full'])));
    const names = async (...filters: string[]) =>
      (await t.cube(['list', '-c', 'n', '-f', 'csv', ...filters])).stdout.trim().split('\n').filter(Boolean);
    expect(await names('web')).toEqual(['web2', 'web10']);
    expect(await names('.*1.*')).toEqual(['c1', 'web10']);
    expect(await names('ipv4=240.2.0.0/16')).toEqual(['web2']);
    expect(await names('type=container,virtual-machine', 'location=N2')).toEqual(['web10']);
    expect(await names('s.privileged=true')).toEqual(['c1']);
    expect(await names('user.comment=web.*')).toEqual(['c1']);
    expect(await names('local:web1')).toEqual(['web10']);
  });

  it('sends filters on instance fields to a server with api_filtering', async () => {
    await t.cube(['list', 'status=running', 'user.comment=x']);
    expect(t.fake.sequence[1]).toBe('GET /1.0/instances?filter=status+eq+running&recursion=2');
    await t.cube(['list', '-c', 'n', 'location=n1']);
    expect(t.fake.sequence[3]).toBe('GET /1.0/instances?filter=location+eq+n1&recursion=1');
  });

  it('applies field filters itself, like the server would, without api_filtering', async () => {
    t.fake.on('GET', '/1.0', sync(SERVER(true, ['container_full'])));
    const r = await t.cube(['list', '-c', 'nS', '-f', 'csv', 'status=running', 'location=n1']);
    expect(t.fake.sequence[1]).toBe('GET /1.0/instances?recursion=2');
    expect(r.stdout).toBe('c1,2\nweb2,0\n');
  });

  it('falls back to recursion=1 and fetches state and snapshots per instance without container_full', async () => {
    t.fake
      .on('GET', '/1.0', sync(SERVER(false, [])))
      .on(
        'GET',
        '/1.0/instances',
        sync([
          { ...WEB10, state: undefined },
          { ...C1, state: undefined, snapshots: undefined },
        ]),
      )
      .on('GET', '/1.0/instances/c1/state', sync(C1.state))
      .on('GET', '/1.0/instances/c1/snapshots', sync([{ name: 'snap0' }]))
      .on('GET', '/1.0/instances/web10/snapshots', sync([]));
    const r = await t.cube(['list', '-f', 'csv']);
    expect(r.stdout).toBe(
      'c1,RUNNING,240.1.0.2 (eth0),fd42::2 (eth0),CONTAINER,1\nweb10,STOPPED,,,CONTAINER (EPHEMERAL),0\n',
    );
    expect(t.fake.sequence[1]).toBe('GET /1.0/instances?recursion=1');
    expect([...t.fake.sequence.slice(2)].sort()).toEqual([
      'GET /1.0/instances/c1/snapshots?recursion=1',
      'GET /1.0/instances/c1/state',
      'GET /1.0/instances/web10/snapshots?recursion=1',
    ]);
  });

  it('asks only for the instances when the columns need no state', async () => {
    const r = await t.cube(['list', '-c', 'n,user.comment:COMMENT,devices:eth0.parent:ETHP', '-f', 'csv']);
    expect(t.fake.sequence[1]).toBe('GET /1.0/instances?recursion=1');
    expect(r.stdout).toBe('c1,web server,\nweb2,,\nweb10,,\n');
    expect((await t.cube(['list', '--fast', '-f', 'csv'])).stdout.split('\n')[0]).toBe(
      'c1,RUNNING,x86_64,2024/03/01 10:20 UTC,default,CONTAINER',
    );
  });

  it('refuses L outside a cluster and unknown columns', async () => {
    t.fake.on('GET', '/1.0', sync(SERVER(false, ['container_full'])));
    expect((await t.cube(['list', '-c', 'nL'])).stderr).toBe("Error: Can't specify column L when not clustered\n");
    expect((await t.cube(['list', '-c', 'nZ'])).stderr).toBe("Error: Unknown column shorthand char 'Z' in 'nZ'\n");
    const r = await t.cube(['list', '-f', 'csv', '-c', 'ns']);
    expect(r.stdout).toBe('c1,RUNNING\nweb2,RUNNING\nweb10,STOPPED\n');
  });
});
