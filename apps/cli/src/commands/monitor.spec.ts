import type { WebSocket } from 'ws';
import { sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { EVENTS, SERVER } from '../../test/lxd-fixtures';
import { serverIdentity } from '../../test/server-identity';

/** The same object with its keys in reverse order (the daemon may order them any way). */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as object)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    );
  }
  return value;
}

/** Sends the messages, then closes the socket normally. */
function replay(messages: unknown[]) {
  return (socket: WebSocket) => {
    for (const m of messages) socket.send(typeof m === 'string' ? m : JSON.stringify(m));
    socket.close(1000);
  };
}

const LOGGING = {
  type: 'logging',
  timestamp: '2026-11-23T11:59:14.500Z',
  location: 'n1',
  project: '',
  metadata: { message: 'Started container', level: 'info', context: { instance: 'c1', path: '/var/a b' } },
};

describe('cube monitor', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
  });
  afterEach(() => t.close());

  it('prints each event as YAML with sorted keys and a blank line, until the stream closes', async () => {
    t.fake.onWebSocket('/1.0/events', replay([EVENTS[0]].map(reversed)));
    const r = await t.cube(['monitor']);
    expect(t.fake.sequence).toEqual(['GET /1.0/events [websocket]']);
    expect(t.fake.requests[0].headers['user-agent']).toMatch(/^Cube /);
    expect(r.stdout).toBe(
      [
        'location: n1',
        'metadata:',
        '  action: profile-created',
        '  requestor:',
        "    address: '@'",
        '    protocol: unix',
        '    username: root',
        '  source: /1.0/profiles/evp1',
        'project: default',
        'timestamp: "2026-11-23T11:59:13.001812497Z"',
        'type: lifecycle',
        '',
        '',
        '',
      ].join('\n'),
    );
    expect(r).toMatchObject({ code: 1, stderr: 'Error: websocket: close 1000 (normal)\n' });
  });

  it('--format json prints what lxc monitor printed for the same events', async () => {
    t.fake.onWebSocket('/1.0/events', replay(['not json', { type: '' }, ...EVENTS.map(reversed)]));
    const r = await t.cube(['monitor', '--format', 'json']);
    expect(r.stdout).toBe(EVENTS.map((e) => `${JSON.stringify(e)}\n\n`).join(''));
  });

  it('asks for the chosen types and drops the others', async () => {
    t.fake.onWebSocket('/1.0/events', replay([...EVENTS, LOGGING]));
    const r = await t.cube(['monitor', '--type', 'lifecycle', '--type', 'logging', '-f', 'json']);
    expect(t.fake.requests[0].query).toEqual({ type: 'lifecycle,logging' });
    const types = r.stdout
      .trim()
      .split('\n\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(['lifecycle', 'lifecycle', 'logging']);
  });

  it('--pretty prints log lines, filtered by --loglevel', async () => {
    t.fake.onWebSocket('/1.0/events', replay([EVENTS[0], LOGGING, EVENTS[1]]));
    const r = await t.cube(['monitor', '--pretty']);
    expect(r.stdout.split('\n')).toEqual([
      'time="2026-11-23T11:59:13Z" level=info msg="Action: profile-created, Source: /1.0/profiles/evp1, Requestor: unix/root (@)"',
      'time="2026-11-23T11:59:14Z" level=info msg="Started container" instance=c1 path="/var/a b"',
      'time="2026-11-23T11:59:13Z" level=info msg="ID: d1e350c3-74be-4fde-a8c8-d9f1d121790b, Class: task, Description: Creating instance" ' +
        'CreatedAt="2026-11-23 11:59:13.039507559 +0000 UTC" Err= Location=n3 MayCancel=false Metadata="map[]" ' +
        'Resources="map[containers:[/1.0/containers/evc1] instances:[/1.0/instances/evc1]]" Status=Pending StatusCode=Pending ' +
        'UpdatedAt="2026-11-23 11:59:13.039507559 +0000 UTC"',
      '',
    ]);
    const quiet = await t.cube(['monitor', '--pretty', '--loglevel', 'warning']);
    expect(quiet.stdout).toBe('');
  });

  it('refuses bad flags before connecting', async () => {
    expect((await t.cube(['monitor', '--format', 'table'])).stderr).toBe('Error: Invalid format: table\n');
    expect((await t.cube(['monitor', '--loglevel', 'info'])).stderr).toBe(
      'Error: Log level filtering can only be used with pretty formatting\n',
    );
    expect((await t.cube(['monitor', '--pretty', '--loglevel', 'loud'])).stderr).toBe(
      'Error: not a valid logrus Level: "loud"\n',
    );
    expect(t.fake.requests).toHaveLength(0);
  });

  it('reports a refused upgrade with the daemon error', async () => {
    const r = await t.cube(['monitor']);
    expect(r).toMatchObject({ code: 1, stderr: 'Error: not found\n' });
  });

  it('listens to a remote over wss:// with the client certificate and the remote project', async () => {
    const identity = await serverIdentity();
    await t.close();
    t = await startCubeEnv(identity);
    let trusted = false;
    t.fake
      .on('GET', '/1.0', () => sync({ ...SERVER, auth: trusted ? 'trusted' : 'untrusted' }))
      .on('POST', '/1.0/certificates', () => {
        trusted = true;
        return sync(null, { status: 201 });
      })
      .on('GET', '/1.0/projects/blue', sync({ name: 'blue' }))
      .onWebSocket('/1.0/events', replay([EVENTS[0]]));
    const add = (project: string) =>
      t.cube([
        'remote',
        'add',
        'r2',
        t.fake.httpsAddress,
        '--accept-certificate',
        '--password',
        'x',
        '--project',
        project,
      ]);
    const missing = await add('nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr.endsWith('Error: not found\n')).toBe(true);
    expect((await add('blue')).code).toBe(0);
    t.fake.requests.length = 0;
    const r = await t.cube(['monitor', 'r2:', '-f', 'json']);
    expect(r.stdout).toBe(`${JSON.stringify(EVENTS[0])}\n\n`);
    expect(t.fake.requests[0]).toMatchObject({ via: 'https', url: '/1.0/events?project=blue', websocket: true });
    expect(t.fake.requests[0].clientFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});
