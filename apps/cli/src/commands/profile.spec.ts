import { lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { PROFILE_DEFAULT, PROFILES } from '../../test/lxd-fixtures';

const WEB = {
  config: { 'limits.cpu': '2', 'user.note': 'multi\nline' },
  description: 'Web servers',
  devices: { eth0: { name: 'eth0', network: 'lxdbr0', type: 'nic' } },
  name: 'web',
  used_by: ['/1.0/instances/c1', '/1.0/instances/c2'],
};

describe('cube profile', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake
      .on('GET', '/1.0/profiles', sync([...PROFILES, WEB]))
      .on('GET', '/1.0/profiles/default', sync(PROFILE_DEFAULT, { etag: 'def-etag' }))
      .on('GET', '/1.0/profiles/web', sync(WEB, { etag: 'web-etag' }))
      .on('PUT', '/1.0/profiles/web', sync({}))
      .on('POST', '/1.0/profiles', sync(null, { status: 201 }));
  });
  afterEach(() => t.close());

  it('list prints NAME, DESCRIPTION and USED BY', async () => {
    const r = await t.cube(['profile', 'list']);
    expect(t.fake.sequence).toEqual(['GET /1.0/profiles?recursion=1']);
    expect(r.stdout).toBe(
      [
        '+---------+---------------------+---------+',
        '|  NAME   |     DESCRIPTION     | USED BY |',
        '+---------+---------------------+---------+',
        '| default | Default LXD profile | 0       |',
        '+---------+---------------------+---------+',
        '| web     | Web servers         | 2       |',
        '+---------+---------------------+---------+',
        '',
      ].join('\n'),
    );
    expect((await t.cube(['profile', 'ls', '-f', 'csv'])).stdout).toBe(
      'default,Default LXD profile,0\nweb,Web servers,2\n',
    );
  });

  it('show prints the profile as YAML', async () => {
    const r = await t.cube(['profile', 'show', 'web']);
    expect(r.stdout).toBe(
      [
        'config:',
        '  limits.cpu: "2"',
        '  user.note: |-',
        '    multi',
        '    line',
        'description: Web servers',
        'devices:',
        '  eth0:',
        '    name: eth0',
        '    network: lxdbr0',
        '    type: nic',
        'name: web',
        'used_by:',
        '- /1.0/instances/c1',
        '- /1.0/instances/c2',
        '',
      ].join('\n'),
    );
  });

  it('create, delete, rename and copy', async () => {
    t.fake.on('DELETE', '/1.0/profiles/web', sync({})).on('POST', '/1.0/profiles/web', sync(null, { status: 201 }));
    expect((await t.cube(['profile', 'create', 'p1'])).stdout).toBe('Profile p1 created\n');
    expect(t.fake.requests[0].body).toEqual({ config: null, description: '', devices: null, name: 'p1' });
    expect((await t.cube(['profile', 'delete', 'web'])).stdout).toBe('Profile web deleted\n');
    expect((await t.cube(['profile', 'rename', 'web', 'www'])).stdout).toBe('Profile web renamed to www\n');
    expect(t.fake.requests[2].body).toEqual({ name: 'www' });
    expect((await t.cube(['profile', 'copy', 'web', 'web2', '--target-project', 'p'])).code).toBe(0);
    const copy = t.fake.requests[4];
    expect(copy.url).toBe('/1.0/profiles?project=p');
    expect(copy.body).toEqual({ config: WEB.config, description: 'Web servers', devices: WEB.devices, name: 'web2' });
  });

  it('reports a duplicate profile with the daemon error', async () => {
    t.fake.on(
      'POST',
      '/1.0/profiles',
      lxdError(500, 'Error inserting "default" into database: The profile already exists'),
    );
    const r = await t.cube(['profile', 'create', 'default']);
    expect(r).toMatchObject({
      code: 1,
      stderr: 'Error: Error inserting "default" into database: The profile already exists\n',
    });
  });

  it('get, set and unset keys with the ETag', async () => {
    expect((await t.cube(['profile', 'get', 'web', 'limits.cpu'])).stdout).toBe('2\n');
    expect((await t.cube(['profile', 'get', 'web', 'nothing'])).stdout).toBe('\n');
    await t.cube(['profile', 'set', 'web', 'limits.memory=1GiB']);
    const put = t.fake.requests[3];
    expect(put.headers['if-match']).toBe('"web-etag"');
    expect(put.body).toEqual({
      config: { ...WEB.config, 'limits.memory': '1GiB' },
      description: 'Web servers',
      devices: WEB.devices,
    });
    await t.cube(['profile', 'unset', 'web', 'limits.cpu']);
    expect((t.fake.requests[5].body as { config: object }).config).toEqual({
      'limits.cpu': '',
      'user.note': 'multi\nline',
    });
  });

  it('sends ?project= for a non-default project only', async () => {
    await t.cube(['profile', 'list', '--project', 'default']);
    await t.cube(['profile', 'list', '--project', 'blue']);
    expect(t.fake.sequence).toEqual(['GET /1.0/profiles?recursion=1', 'GET /1.0/profiles?project=blue&recursion=1']);
  });

  describe('edit', () => {
    it('round-trips show | edit through standard input, without an ETag', async () => {
      const shown = await t.cube(['profile', 'show', 'web']);
      const r = await t.cube(['profile', 'edit', 'web'], { stdin: shown.stdout.replace('Web servers', 'Edited') });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const put = t.fake.requests[1];
      expect(put).toMatchObject({ method: 'PUT', path: '/1.0/profiles/web' });
      expect(put.headers['if-match']).toBeUndefined();
      expect(put.body).toEqual({ config: WEB.config, description: 'Edited', devices: WEB.devices });
    });

    it('keeps scalars as text and refuses YAML of the wrong shape', async () => {
      await t.cube(['profile', 'edit', 'web'], {
        stdin: '# comment\nconfig:\n  limits.cpu: 2\n  security.nesting: true\n  ratio: 1.50\ndevices: {}\n',
      });
      expect(t.fake.requests[0].body).toEqual({
        config: { 'limits.cpu': '2', 'security.nesting': 'true', ratio: '1.50' },
        description: '',
        devices: {},
      });
      const bad = await t.cube(['profile', 'edit', 'web'], { stdin: 'config: [a]\n' });
      expect(bad).toMatchObject({
        code: 1,
        stderr: 'Error: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]string\n',
      });
      const broken = await t.cube(['profile', 'edit', 'web'], { stdin: 'config: {a: [\n' });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/^Error: yaml: /);
    });

    it('on a terminal edits the whole profile and PUTs the writable part with If-Match', async () => {
      const r = await t.cube(['profile', 'edit', 'web'], {
        tty: true,
        editor: (text) => text.replace('limits.cpu: "2"', 'limits.cpu: "4"'),
      });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(
        r.edited[0].startsWith(
          "### This is a YAML representation of the profile.\n### Any line starting with a '# will be ignored.\n",
        ),
      ).toBe(true);
      expect(r.edited[0]).toContain(
        '### Note that the name is shown but cannot be changed\n\nconfig:\n  limits.cpu: "2"\n',
      );
      expect(r.edited[0].endsWith('name: web\nused_by:\n- /1.0/instances/c1\n- /1.0/instances/c2\n')).toBe(true);
      expect(t.fake.sequence).toEqual(['GET /1.0/profiles/web', 'PUT /1.0/profiles/web']);
      expect(t.fake.requests[1].headers['if-match']).toBe('"web-etag"');
      expect((t.fake.requests[1].body as { config: object }).config).toEqual({
        'limits.cpu': '4',
        'user.note': 'multi\nline',
      });
    });
  });

  describe('device', () => {
    it('add puts a new device with its type and keys', async () => {
      const r = await t.cube(['profile', 'device', 'add', 'web', 'root', 'disk', 'path=/', 'pool=default']);
      expect(r.stdout).toBe('Device root added to web\n');
      expect((t.fake.requests[1].body as { devices: object }).devices).toEqual({
        ...WEB.devices,
        root: { type: 'disk', path: '/', pool: 'default' },
      });
      expect(t.fake.requests[1].headers['if-match']).toBe('"web-etag"');
      expect((await t.cube(['profile', 'device', 'add', 'web', 'eth0', 'nic'])).stderr).toBe(
        'Error: The device already exists\n',
      );
      expect((await t.cube(['profile', 'device', 'add', 'web', 'x', 'disk', 'path'])).stderr).toBe(
        'Error: No value found in "path"\n',
      );
    });

    it('remove, list, show, get and set', async () => {
      expect((await t.cube(['profile', 'device', 'remove', 'web', 'eth0'])).stdout).toBe(
        'Device eth0 removed from web\n',
      );
      expect((t.fake.requests[1].body as { devices: object }).devices).toEqual({});
      expect((await t.cube(['profile', 'device', 'rm', 'web', 'nope'])).stderr).toBe("Error: Device doesn't exist\n");
      expect((await t.cube(['profile', 'device', 'list', 'web'])).stdout).toBe('eth0\n');
      expect((await t.cube(['profile', 'device', 'show', 'web'])).stdout).toBe(
        'eth0:\n  name: eth0\n  network: lxdbr0\n  type: nic\n',
      );
      expect((await t.cube(['profile', 'device', 'get', 'web', 'eth0', 'network'])).stdout).toBe('lxdbr0\n');
      await t.cube(['profile', 'device', 'set', 'web', 'eth0', 'mtu=1400']);
      const last = t.fake.requests[t.fake.requests.length - 1];
      expect((last.body as { devices: object }).devices).toEqual({
        eth0: { name: 'eth0', network: 'lxdbr0', type: 'nic', mtu: '1400' },
      });
    });
  });
});
