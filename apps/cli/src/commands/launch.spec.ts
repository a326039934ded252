import { asyncOperation, lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { TextInput } from '../../test/test-io';
import { run } from '../cli';
import type { Io } from '../io';
import type { Terminal } from '../terminal';

const FINGERPRINT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** Standard error on an 80-column terminal: where progress lines are shown. */
const STDERR_TTY: Terminal = {
  stdinIsTerminal: false,
  stdoutIsTerminal: false,
  stderrIsTerminal: true,
  size: () => undefined,
  stderrWidth: () => 80,
  makeRaw: () => () => undefined,
  trapSignals: () => () => undefined,
};

async function cubeOnTerminal(t: CubeEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    env: t.env,
    stdin: new TextInput('', true),
    editor: async (text) => text,
    terminal: STDERR_TTY,
  };
  const code = await run(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cube launch and init', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake
      .on('GET', '/1.0/images/aliases/busybox', sync({ name: 'busybox', target: FINGERPRINT, type: 'container' }))
      .on('GET', `/1.0/images/${FINGERPRINT}`, sync({ fingerprint: FINGERPRINT, type: 'container', public: false }))
      .on(
        'POST',
        '/1.0/instances',
        asyncOperation({ id: 'op-create', class: 'task', status: 'Running', status_code: 103 }),
      )
      .on(
        'GET',
        '/1.0/operations/op-create/wait',
        sync({ id: 'op-create', status: 'Success', status_code: 200, resources: { instances: ['/1.0/instances/c1'] } }),
      )
      .on('GET', '/1.0/instances/c1', sync({ name: 'c1', expanded_devices: { eth0: { type: 'nic' } } }))
      .on('PUT', '/1.0/instances/c1/state', asyncOperation({ id: 'op-start', class: 'task' }))
      .on('GET', '/1.0/operations/op-start/wait', sync({ id: 'op-start', status: 'Success', status_code: 200 }));
  });
  afterEach(() => t.close());

  it('launch resolves the alias, creates from the fingerprint on the target member, then starts', async () => {
    const r = await t.cube(['launch', 'busybox', 'c1', '--target', 'n2', '-c', 'limits.cpu=2', '-p', 'default']);
    expect(r).toMatchObject({ code: 0, stdout: 'Creating c1\nStarting c1\n', stderr: '' });
    expect(t.fake.sequence).toEqual([
      'GET /1.0/images/aliases/busybox',
      `GET /1.0/images/${FINGERPRINT}`,
      'POST /1.0/instances?target=n2',
      'GET /1.0/operations/op-create/wait',
      'GET /1.0/instances/c1',
      'PUT /1.0/instances/c1/state',
      'GET /1.0/operations/op-start/wait',
    ]);
    const create = t.fake.requests[2].body;
    expect(create).toEqual({
      architecture: '',
      config: { 'limits.cpu': '2' },
      devices: {},
      ephemeral: false,
      profiles: ['default'],
      stateful: false,
      description: '',
      name: 'c1',
      source: { type: 'image', certificate: '', fingerprint: FINGERPRINT, allow_inconsistent: false },
      instance_type: '',
      type: 'container',
    });
    expect(t.fake.requests[5].body).toEqual({ action: 'start', timeout: -1, force: false, stateful: false });
  });

  it('shows the progress of the creation on a terminal, from the operation events', async () => {
    let sent!: () => void;
    const eventsSent = new Promise<void>((resolve) => (sent = resolve));
    t.fake
      .onWebSocket('/1.0/events', (socket) => {
        const event = (metadata: Record<string, string>) =>
          JSON.stringify({ type: 'operation', metadata: { id: 'op-create', status: 'Running', metadata } });
        socket.send(JSON.stringify({ type: 'operation', metadata: { id: 'other', metadata: { x_progress: 'no' } } }));
        socket.send(event({ download_progress: 'rootfs: 50% (10.00MB/s)' }));
        socket.send(
          event({
            download_progress: 'rootfs: 100% (10.00MB/s)',
            create_instance_from_image_unpack_progress: 'Unpack: 45% (23MB/s)',
          }),
        );
        setTimeout(sent, 50);
      })
      .on('GET', '/1.0/operations/op-create/wait', async () => {
        await eventsSent;
        await delay(20);
        return sync({
          id: 'op-create',
          status: 'Success',
          status_code: 200,
          resources: { instances: ['/1.0/instances/c1'] },
        });
      });
    const r = await cubeOnTerminal(t, ['launch', 'busybox', 'c1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Creating c1\nStarting c1\n');
    const first = 'Retrieving image: rootfs: 50% (10.00MB/s)';
    const second = 'Retrieving image: Unpack: 45% (23MB/s)';
    expect(r.stderr).toBe(
      `\r${first}` + `\r${' '.repeat(first.length)}\r${second}` + `\r${' '.repeat(first.length)}\r`,
    );
    expect(t.fake.sequence).toContain('GET /1.0/events?type=operation [websocket]');
  });

  it('shows progress by asking for the operation when the event stream is refused', async () => {
    let polls = 0;
    let polled!: () => void;
    const enoughPolls = new Promise<void>((resolve) => (polled = resolve));
    t.fake
      .on('GET', '/1.0/operations/op-create', () => {
        if (++polls === 1) polled();
        return sync({ id: 'op-create', metadata: { create_instance_from_image_unpack_progress: 'Unpack: 99%' } });
      })
      .on('GET', '/1.0/operations/op-create/wait', async () => {
        await enoughPolls;
        await delay(20);
        return sync({
          id: 'op-create',
          status: 'Success',
          status_code: 200,
          resources: { instances: ['/1.0/instances/c1'] },
        });
      });
    const r = await cubeOnTerminal(t, ['init', 'busybox', 'c1']);
    expect(r).toMatchObject({ code: 0, stdout: 'Creating c1\n' });
    expect(r.stderr).toContain('\rRetrieving image: Unpack: 99%');
  });

  it('init creates without starting, reads the instance from standard input, and prints a name the server chose', async () => {
    t.fake
      .on(
        'GET',
        '/1.0/operations/op-create/wait',
        sync({ id: 'op-create', status: 'Success', status_code: 200, resources: { instances: ['/1.0/instances/c1'] } }),
      )
      .on('POST', '/1.0/instances', asyncOperation({ id: 'op-create' }));
    const yaml = 'config:\n  user.note: hi\ndevices:\n  root:\n    path: /\n    pool: default\n    type: disk\n';
    const r = await t.cube(['init', 'busybox', '--target', '@fast', '-e', '--no-profiles'], { stdin: yaml });
    expect(r).toMatchObject({ code: 0, stdout: 'Creating the instance\nInstance name is: c1\n', stderr: '' });
    const post = t.fake.requests.find((req) => req.method === 'POST')!;
    expect(post.url).toBe('/1.0/instances?target=%40fast');
    expect(post.body).toMatchObject({
      config: { 'user.note': 'hi' },
      devices: { root: { path: '/', pool: 'default', type: 'disk' } },
      ephemeral: true,
      profiles: [],
      name: '',
    });
    expect(t.fake.sequence).not.toContain('PUT /1.0/instances/c1/state');
  });

  it('init --empty creates an instance without an image', async () => {
    const r = await t.cube(['init', 'c1', '--empty']);
    expect(r).toMatchObject({ code: 0, stdout: 'Creating c1\n' });
    expect(t.fake.sequence.slice(0, 2)).toEqual(['POST /1.0/instances', 'GET /1.0/operations/op-create/wait']);
    expect(t.fake.requests[0].body).toMatchObject({ name: 'c1', source: { type: 'none' }, profiles: null });
  });

  it('warns about an instance without a network interface', async () => {
    t.fake.on('GET', '/1.0/instances/c1', sync({ name: 'c1', expanded_devices: {} }));
    const r = await t.cube(['init', 'busybox', 'c1', '-q']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe("\nThe instance you are starting doesn't have any network attached to it.\n\n");
  });

  it('applies device overrides to the devices of the profiles', async () => {
    t.fake.on(
      'GET',
      '/1.0/profiles/default',
      sync({ name: 'default', devices: { root: { path: '/', pool: 'default', type: 'disk' } } }),
    );
    const r = await t.cube(['init', 'busybox', 'c1', '-d', 'root,size=2GiB']);
    expect(r.code).toBe(0);
    expect(t.fake.sequence[0]).toBe('GET /1.0/profiles/default');
    const post = t.fake.requests.find((req) => req.method === 'POST')!;
    expect(post.body).toMatchObject({ devices: { root: { path: '/', pool: 'default', type: 'disk', size: '2GiB' } } });
  });

  it('fails like lxc: a failed creation, an unknown image, a start that fails', async () => {
    t.fake.on(
      'GET',
      '/1.0/operations/op-create/wait',
      sync({ id: 'op-create', status: 'Failure', status_code: 400, err: 'Failed creating instance: no space left' }),
    );
    expect(await t.cube(['launch', 'busybox', 'c1'])).toMatchObject({
      code: 1,
      stdout: 'Creating c1\n',
      stderr: 'Error: Failed creating instance: no space left\n',
    });

    t.fake.on('GET', '/1.0/images/nothing', lxdError(404, 'Image not found'));
    expect(await t.cube(['launch', 'nothing', 'c2', '-q'])).toMatchObject({
      code: 1,
      stderr: 'Error: Image not found\n',
    });

    t.fake
      .on(
        'GET',
        '/1.0/operations/op-create/wait',
        sync({ id: 'op-create', status: 'Success', status_code: 200, resources: { instances: ['/1.0/instances/c1'] } }),
      )
      .on('GET', '/1.0/operations/op-start/wait', sync({ id: 'op-start', status: 'Failure', err: 'Failed to run: x' }));
    expect(await t.cube(['launch', 'busybox', 'c1', '-q'])).toMatchObject({
      code: 1,
      stderr: 'Error: Failed to run: x\nTry `cube info --show-log local:c1` for more info\n',
    });
  });

  it('refuses a bad -c and --empty with an image', async () => {
    expect((await t.cube(['init', 'busybox', 'c1', '-c', 'novalue', '-q'])).stderr).toBe(
      'Error: Bad key=value pair: novalue\n',
    );
    expect((await t.cube(['init', 'busybox', 'c1', '--empty'])).stderr).toBe(
      'Error: --empty cannot be combined with an image name\n',
    );
  });
});
