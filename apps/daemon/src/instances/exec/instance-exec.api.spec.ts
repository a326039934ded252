/**
 * POST /1.0/instances/<name>/exec and GET /1.0/operations/<id>/websocket against a daemon on a unix
 * socket, with instances of a FakeRuntimeDriver: LXD's websocket protocol (fds, barriers, control
 * messages), exit statuses, task execs with recorded output, and LXD's errors.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ExecRequest, type FakeExecIo, FakeRuntimeDriver } from '@app/runtime';
import { OperationsController } from '../../operations/operations.controller';
import type { Daemon } from '../../server';
import { DriverInstances, request, requestJson, startInstanceIoDaemon, waitFor, WebsocketClient } from '../../testing/instance-io-test-daemon';
import { ExecOutputController } from './exec-output.controller';
import { ExecOutputStore } from './exec-output-store';
import { InstanceExecController } from './instance-exec.controller';

jest.setTimeout(30_000);

// ---------------------------------------------------------------------------------------------
// Commands of the fake instances

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const signalled: (NodeJS.Signals | number)[] = [];
const executed: ExecRequest[] = [];

async function fakeCommand(_instance: string, request: ExecRequest, io: FakeExecIo): Promise<number> {
  executed.push(request);
  const [name, ...args] = request.command;
  switch (name) {
    case 'echo':
      io.stdout.write(`${args.join(' ')}\n`);
      return 0;
    case 'both':
      io.stdout.write('to stdout\n');
      io.stderr.write('to stderr\n');
      return 0;
    case 'cat':
      io.stdout.write(await collect(io.stdin));
      return 0;
    case 'exit':
      return Number(args[0]);
    case 'pwd':
      io.stdout.write(`${request.cwd ?? '/'}\n`);
      return 0;
    case 'stty': {
      const size = io.windowSize();
      io.stdout.write(size ? `${size.rows} ${size.columns}\r\n` : 'not a tty\n');
      return size ? 0 : 1;
    }
    case 'wait-signal':
      return new Promise((resolve) =>
        io.onSignal((signal) => {
          signalled.push(signal);
          resolve(128 + (typeof signal === 'number' ? signal : 9));
        }),
      );
    case 'shell': {
      // Answers each line: "size" with the terminal size, "exit N" by exiting.
      let buffered = '';
      return new Promise((resolve) => {
        io.stdin.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (line === 'size') io.stdout.write(`${io.windowSize()?.rows} ${io.windowSize()?.columns}\r\n`);
            else if (line.startsWith('exit ')) resolve(Number(line.slice(5)));
          }
        });
      });
    }
    default:
      io.stderr.write(`${name}: not found\n`);
      return 127;
  }
}

// ---------------------------------------------------------------------------------------------

describe('exec over the API, with websockets', () => {
  let tmp: string;
  let daemon: Daemon;
  let driver: FakeRuntimeDriver;
  let socket: string;

  const call = (method: string, urlPath: string) => request(socket, method, urlPath);
  const post = (name: string, body: unknown) => requestJson(socket, 'POST', `/1.0/instances/${name}/exec`, body);
  const connect = (id: string, secret: string) => WebsocketClient.open(socket, `/1.0/operations/${id}/websocket?secret=${secret}`);
  const wait = async (id: string) => (await call('GET', `/1.0/operations/${id}/wait?timeout=10`)).json.metadata;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-exec-'));
    driver = new FakeRuntimeDriver({ execHandler: fakeCommand });
    driver.addImage('/images/busybox', { architecture: 'x86_64', files: { '/root/.profile': '', '/etc/hostname': 'c1\n' } });
    for (const name of ['c1', 'stopped', 'frozen']) await driver.create({ name, imageDirectory: '/images/busybox', privileged: false, config: name === 'c1' ? { 'environment.FROM_CONFIG': 'yes', 'environment.LANG': 'de_DE.UTF-8' } : {} });
    await driver.start('c1');
    await driver.start('frozen');
    await driver.freeze('frozen');
    // The core, the operations API, and the exec routes on the fake driver's instances.
    daemon = await startInstanceIoDaemon(path.join(tmp, 'state'), {
      runtime: new DriverInstances(driver),
      controllers: [OperationsController, InstanceExecController, ExecOutputController],
      providers: [ExecOutputStore],
    });
    socket = daemon.socketPath;
  });

  afterAll(async () => {
    await daemon?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('creates a websocket operation with LXD metadata: four fds, the environment with defaults', async () => {
    const r = await post('c1', { command: ['echo', 'hi'], environment: { TERM: 'xterm' }, 'wait-for-websocket': true, interactive: false, width: 0, height: 0, user: 0, group: 0, cwd: '' });
    expect(r.status).toBe(202);
    expect(r.headers.location).toBe(r.json.operation);
    const op = r.json.metadata;
    expect(op).toMatchObject({
      class: 'websocket',
      description: 'Executing command',
      status: 'Running',
      status_code: 103,
      may_cancel: false,
      resources: { containers: ['/1.0/containers/c1'], instances: ['/1.0/instances/c1'] },
    });
    expect(op.metadata).toEqual({
      command: ['echo', 'hi'],
      environment: {
        FROM_CONFIG: 'yes',
        HOME: '/root',
        LANG: 'de_DE.UTF-8',
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        TERM: 'xterm',
        USER: 'root',
      },
      fds: { '0': expect.stringMatching(/^[0-9a-f]{64}$/), '1': expect.stringMatching(/^[0-9a-f]{64}$/), '2': expect.stringMatching(/^[0-9a-f]{64}$/), control: expect.stringMatching(/^[0-9a-f]{64}$/) },
      interactive: false,
    });
    const fds = op.metadata.fds;
    const [control, stdin, stdout, stderr] = await Promise.all([connect(op.id, fds.control), connect(op.id, fds['0']), connect(op.id, fds['1']), connect(op.id, fds['2'])]);
    expect(await stdout.untilBarrier()).toBe('hi\n');
    expect(await stderr.untilBarrier()).toBe('');
    const done = await wait(op.id);
    expect(done).toMatchObject({ status: 'Success', status_code: 200, err: '' });
    expect(done.metadata.return).toBe(0);
    await Promise.all([control.untilClosed(), stdin.untilClosed(), stdout.untilClosed(), stderr.untilClosed()]);
    // The command started in the home directory, with the environment above.
    expect(executed.at(-1)).toMatchObject({ cwd: '/root', uid: 0, gid: 0, environment: op.metadata.environment });
  });

  it('runs without a control connection (pylxd) and passes stdin through until the barrier', async () => {
    const r = await post('c1', { command: ['cat'], 'wait-for-websocket': true });
    const { id, metadata } = r.json.metadata;
    const stdin = await connect(id, metadata.fds['0']);
    const stdout = await connect(id, metadata.fds['1']);
    stdin.sendBinary('piped ');
    const stderr = await connect(id, metadata.fds['2']);
    stdin.sendBinary('input\n');
    stdin.sendBarrier();
    expect(await stdout.untilBarrier()).toBe('piped input\n');
    expect(await stderr.untilBarrier()).toBe('');
    expect((await wait(id)).metadata.return).toBe(0);
  });

  it('keeps stdout and stderr apart and reports the exit status', async () => {
    const both = (await post('c1', { command: ['both'], 'wait-for-websocket': true })).json.metadata;
    const clients = await Promise.all(['0', '1', '2'].map((fd) => connect(both.id, both.metadata.fds[fd])));
    expect(await clients[1].untilBarrier()).toBe('to stdout\n');
    expect(await clients[2].untilBarrier()).toBe('to stderr\n');

    const three = (await post('c1', { command: ['exit', '3'], 'wait-for-websocket': true })).json.metadata;
    await Promise.all(['0', '1', '2'].map((fd) => connect(three.id, three.metadata.fds[fd])));
    expect(await wait(three.id)).toMatchObject({ status: 'Success', metadata: { return: 3 } });
  });

  it('fails like LXD when the command is not found, keeping the exit status', async () => {
    const op = (await post('c1', { command: ['no-such-command'], 'wait-for-websocket': true })).json.metadata;
    const clients = await Promise.all(['0', '1', '2'].map((fd) => connect(op.id, op.metadata.fds[fd])));
    expect(await clients[2].untilBarrier()).toBe('no-such-command: not found\n');
    expect(await wait(op.id)).toMatchObject({ status: 'Failure', status_code: 400, err: 'Command not found', metadata: { return: 127 } });
  });

  it('fails with return -1 and the runtime error when the command cannot start', async () => {
    const op = (await post('c1', { command: ['pwd'], cwd: '/etc/hostname', 'wait-for-websocket': true })).json.metadata;
    await Promise.all(['0', '1', '2'].map((fd) => connect(op.id, op.metadata.fds[fd])));
    const done = await wait(op.id);
    expect(done).toMatchObject({ status: 'Failure', metadata: { return: -1 } });
    expect(done.err).toMatch(/is not a directory/);
  });

  it('forwards signals from the control websocket, and kills the command when control closes', async () => {
    signalled.length = 0;
    const op = (await post('c1', { command: ['wait-signal'], 'wait-for-websocket': true })).json.metadata;
    const control = await connect(op.id, op.metadata.fds.control);
    await Promise.all(['0', '1', '2'].map((fd) => connect(op.id, op.metadata.fds[fd])));
    control.sendControl({ command: 'signal', signal: 15 });
    expect(await wait(op.id)).toMatchObject({ status: 'Success', metadata: { return: 143 } });
    expect(signalled).toEqual([15]);

    const killed = (await post('c1', { command: ['wait-signal'], 'wait-for-websocket': true })).json.metadata;
    const killedControl = await connect(killed.id, killed.metadata.fds.control);
    await Promise.all(['0', '1', '2'].map((fd) => connect(killed.id, killed.metadata.fds[fd])));
    await new Promise((r) => setTimeout(r, 50));
    killedControl.socket.close();
    expect(await wait(killed.id)).toMatchObject({ metadata: { return: 137 } });
    expect(signalled).toEqual([15, 'SIGKILL']);
  });

  it('kills the command when a client without control leaves the stdout websocket', async () => {
    signalled.length = 0;
    const op = (await post('c1', { command: ['wait-signal'], 'wait-for-websocket': true })).json.metadata;
    const pipes = await Promise.all(['0', '1', '2'].map((fd) => connect(op.id, op.metadata.fds[fd])));
    await new Promise((r) => setTimeout(r, 50));
    pipes[1].socket.close();
    expect(await wait(op.id)).toMatchObject({ metadata: { return: 137 } });
    expect(signalled).toEqual(['SIGKILL']);
  });

  it('runs an interactive command on one websocket, with window-resize and the terminal size', async () => {
    const r = await post('c1', { command: ['shell'], 'wait-for-websocket': true, interactive: true, width: 100, height: 30, environment: { TERM: 'xterm' } });
    const op = r.json.metadata;
    expect(Object.keys(op.metadata.fds).sort()).toEqual(['0', 'control']);
    expect(op.metadata.interactive).toBe(true);
    const control = await connect(op.id, op.metadata.fds.control);
    const terminal = await connect(op.id, op.metadata.fds['0']);
    terminal.sendBinary('size\n');
    await waitFor(() => terminal.received().includes('30 100\r\n'), 'the terminal size', 5_000);
    control.sendControl({ command: 'window-resize', args: { width: '132', height: '43' } });
    await new Promise((r2) => setTimeout(r2, 50));
    terminal.sendBinary('size\n');
    await waitFor(() => terminal.received().includes('43 132\r\n'), 'the new terminal size', 5_000);
    terminal.sendBinary('exit 5\n');
    expect(await terminal.untilBarrier()).toBe('30 100\r\n43 132\r\n');
    expect(await wait(op.id)).toMatchObject({ status: 'Success', metadata: { return: 5 } });
    expect(executed.at(-1)?.interactive).toEqual({ columns: 100, rows: 30 });
  });

  it('waits for the control websocket of an interactive command before running it', async () => {
    const op = (await post('c1', { command: ['stty', 'size'], 'wait-for-websocket': true, interactive: true })).json.metadata;
    const terminal = await connect(op.id, op.metadata.fds['0']);
    await new Promise((r) => setTimeout(r, 100));
    expect(terminal.messages).toEqual([]);
    await connect(op.id, op.metadata.fds.control);
    expect(await terminal.untilBarrier()).toBe('24 80\r\n');
  });

  it('fails the operation when the websockets do not connect within 5 seconds', async () => {
    const op = (await post('c1', { command: ['echo'], 'wait-for-websocket': true })).json.metadata;
    await connect(op.id, op.metadata.fds['0']);
    const done = (await call('GET', `/1.0/operations/${op.id}/wait?timeout=8`)).json.metadata;
    expect(done).toMatchObject({ status: 'Failure', err: 'Timed out waiting for websockets to connect' });
    expect(done.metadata.return).toBeUndefined();
  }, 15_000);

  it('refuses bad websocket connections with LXD errors', async () => {
    const op = (await post('c1', { command: ['cat'], 'wait-for-websocket': true })).json.metadata;
    await expect(connect(op.id, 'f'.repeat(64))).rejects.toMatchObject({ status: 403 });
    await expect(WebsocketClient.open(socket, `/1.0/operations/${op.id}/websocket`)).rejects.toMatchObject({ status: 400, body: expect.stringContaining('missing secret') });
    const stdin = await connect(op.id, op.metadata.fds['0']);
    await expect(connect(op.id, op.metadata.fds['0'])).rejects.toMatchObject({ status: 400, body: expect.stringContaining('Websocket number already connected') });
    await expect(connect('00000000-0000-0000-0000-000000000000', op.metadata.fds['1'])).rejects.toMatchObject({ status: 404, body: expect.stringContaining('Operation not found') });
    const plain = await call('GET', `/1.0/operations/${op.id}/websocket?secret=${op.metadata.fds['1']}`);
    expect(plain.status).toBe(400);
    expect(plain.text).toBe('Bad Request');
    await Promise.all(['1', '2'].map((fd) => connect(op.id, op.metadata.fds[fd])));
    stdin.sendBarrier();
    expect((await wait(op.id)).status).toBe('Success');
    await expect(connect(op.id, op.metadata.fds.control)).rejects.toMatchObject({ status: 400, body: expect.stringContaining('Only running operations can be connected') });

    const task = (await post('c1', { command: ['echo'] })).json.metadata;
    await expect(connect(task.id, 'x')).rejects.toMatchObject({ status: 400, body: expect.stringContaining('Only websocket operations can be connected') });
  });

  it('answers bad requests with LXD errors', async () => {
    expect((await post('stopped', { command: ['echo'], 'wait-for-websocket': true })).json).toMatchObject({ error_code: 400, error: 'Instance is not running' });
    expect((await post('frozen', { command: ['echo'], 'wait-for-websocket': true })).json).toMatchObject({ error_code: 400, error: 'Instance is frozen' });
    expect((await post('missing', { command: ['echo'] })).json).toMatchObject({ error_code: 404, error: 'Instance not found' });
    expect((await post('c1', { command: 'echo hi' })).json).toMatchObject({ error_code: 400, error: 'Invalid exec request: "command" must be a list of strings' });
    expect((await post('c1', { command: [] })).json).toMatchObject({ error_code: 400, error: 'Invalid exec request: a command is required' });
    expect((await post('c1', { command: ['echo'], environment: { 'BAD-NAME': 'x' } })).json).toMatchObject({ error_code: 400, error: 'Invalid environment variable name "BAD-NAME"' });
    expect((await post('c1', { command: ['echo'], 'record-output': true, 'wait-for-websocket': true })).json).toMatchObject({
      error_code: 400,
      error: 'Cannot use "record-output" in combination with "wait-for-websocket"',
    });
    const empty = await call('POST', '/1.0/instances/c1/exec');
    expect(empty.json).toMatchObject({ error_code: 400, error: 'unexpected end of JSON input' });
  });

  it('serves /1.0/containers/<name>/exec as well', async () => {
    const op = (await request(socket, 'POST', '/1.0/containers/c1/exec', JSON.stringify({ command: ['echo', 'legacy'], 'wait-for-websocket': true }))).json.metadata;
    const clients = await Promise.all(['0', '1', '2'].map((fd) => connect(op.id, op.metadata.fds[fd])));
    expect(await clients[1].untilBarrier()).toBe('legacy\n');
  });

  it('runs a task without websockets, recording the output when asked', async () => {
    const plain = await post('c1', { command: ['exit', '4'], 'wait-for-websocket': false });
    expect(plain.status).toBe(202);
    expect(plain.json.metadata.class).toBe('task');
    expect(await wait(plain.json.metadata.id)).toMatchObject({ status: 'Success', metadata: { return: 4 } });

    const recorded = (await post('c1', { command: ['both'], 'record-output': true })).json.metadata;
    const done = await wait(recorded.id);
    const stdoutUrl = `/1.0/instances/c1/logs/exec-output/exec_${recorded.id}.stdout`;
    const stderrUrl = `/1.0/instances/c1/logs/exec-output/exec_${recorded.id}.stderr`;
    expect(done).toMatchObject({ status: 'Success', metadata: { return: 0, output: { '1': stdoutUrl, '2': stderrUrl } } });
    expect((await call('GET', '/1.0/instances/c1/logs/exec-output')).json.metadata).toEqual(expect.arrayContaining([stdoutUrl, stderrUrl]));
    const out = await call('GET', stdoutUrl);
    expect(out.status).toBe(200);
    expect(out.headers['content-type']).toBe('application/octet-stream');
    expect(out.text).toBe('to stdout\n');
    expect((await call('GET', stderrUrl)).text).toBe('to stderr\n');
    expect((await call('DELETE', stdoutUrl)).status).toBe(200);
    expect((await call('GET', stdoutUrl)).json).toMatchObject({ error_code: 404 });
    expect((await call('GET', '/1.0/instances/c1/logs/exec-output/lxc.log')).json).toMatchObject({ error_code: 400, error: 'Exec record-output file name "lxc.log" not valid' });

    const missing = (await post('c1', { command: ['nothing-here'], 'record-output': true })).json.metadata;
    expect(await wait(missing.id)).toMatchObject({ status: 'Failure', err: 'Command not found', metadata: { return: 127 } });
    expect((await call('GET', `/1.0/instances/c1/logs/exec-output/exec_${missing.id}.stderr`)).text).toBe('nothing-here: not found\n');
  });
});
