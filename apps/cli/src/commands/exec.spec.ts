import { PassThrough, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { asyncOperation, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { TextInput } from '../../test/test-io';
import { run } from '../cli';
import type { Io } from '../io';
import type { Terminal } from '../terminal';

const EXEC_PATH = '/1.0/operations/op-exec/websocket';

/** Resolves when `socket` got the empty text frame that ends its stream, with the binary data before it. */
function streamOf(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) chunks.push(data);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('cube exec', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
  });
  afterEach(() => t.close());

  /**
   * A fake exec of a `cat`-like command: it echoes standard input on standard output once input ended, writes a
   * line on standard error and exits with `exitCode`; with `err`, the exec fails without output.
   */
  function fakeNonInteractiveExec(exitCode: number, err = ''): { control: string[] } {
    const control: string[] = [];
    let input!: (text: string) => void;
    const inputEnded = new Promise<string>((resolve) => (input = resolve));
    let flushed!: () => void;
    const outputSent = new Promise<void>((resolve) => (flushed = resolve));
    let sent = 0;
    const sentOne = () => {
      if (++sent === 2) flushed();
    };
    t.fake
      .on(
        'POST',
        '/1.0/instances/c1/exec',
        asyncOperation({
          id: 'op-exec',
          class: 'websocket',
          status: 'Running',
          metadata: { fds: { '0': 'in', '1': 'out', '2': 'err', control: 'ctl' } },
        }),
      )
      .onWebSocket(EXEC_PATH, (socket, req) => {
        switch (req.query.secret) {
          case 'in':
            void streamOf(socket).then(input);
            break;
          case 'out':
            void inputEnded.then((text) => {
              if (!err) socket.send(Buffer.from(`got: ${text}`), { binary: true });
              socket.send('', { binary: false }, sentOne);
            });
            break;
          case 'err':
            void inputEnded.then(() => {
              if (!err) socket.send(Buffer.from('warning\n'), { binary: true });
              socket.send('', { binary: false }, sentOne);
            });
            break;
          case 'ctl':
            socket.on('message', (data: Buffer) => control.push(data.toString()));
            break;
        }
      })
      .on('GET', '/1.0/operations/op-exec/wait', async () => {
        await outputSent;
        return sync({
          id: 'op-exec',
          status: err ? 'Failure' : 'Success',
          status_code: err ? 400 : 200,
          err,
          metadata: { return: exitCode },
        });
      });
    return { control };
  }

  it('pipes standard input, output and error and exits with the command exit code', async () => {
    const fake = fakeNonInteractiveExec(3);
    const r = await t.cube(['exec', 'c1', '--env', 'HOME=/home/u', '--cwd', '/tmp', '--', 'cat', '-n'], {
      stdin: 'hello\n',
    });
    expect(r).toMatchObject({ code: 3, stdout: 'got: hello\n', stderr: 'warning\n' });
    expect(t.fake.requests[0].body).toEqual({
      command: ['cat', '-n'],
      'wait-for-websocket': true,
      interactive: false,
      environment: { HOME: '/home/u' },
      width: 0,
      height: 0,
      'record-output': false,
      user: 0,
      group: 0,
      cwd: '/tmp',
    });
    const sockets = t.fake.requests.filter((req) => req.websocket).map((req) => req.query.secret);
    expect(sockets).toEqual(['ctl', 'in', 'out', 'err']);
    expect(fake.control).toEqual([]);
  });

  it('exits with 0 when the command does, and sends only the end of input with --disable-stdin', async () => {
    fakeNonInteractiveExec(0);
    const r = await t.cube(['exec', 'c1', '-n', '--', 'true'], { stdin: 'ignored' });
    expect(r).toMatchObject({ code: 0, stdout: 'got: ', stderr: 'warning\n' });
  });

  it('reports a failed exec with Error: and its exit code', async () => {
    fakeNonInteractiveExec(-1, 'Command not found');
    const r = await t.cube(['exec', 'c1', '--', 'nothing'], { stdin: '' });
    expect(r.code).toBe(255);
    expect(r.stderr).toBe('Error: Command not found\n');
    fakeNonInteractiveExec(0, 'Instance is not running');
    expect((await t.cube(['exec', 'c1', '--', 'ls'])).code).toBe(1);
  });

  it('refuses -t with -T, and --mode with either', async () => {
    expect((await t.cube(['exec', 'c1', '-t', '-T', '--', 'ls'])).stderr).toBe(
      "Error: You can't pass -t and -T at the same time\n",
    );
    expect((await t.cube(['exec', 'c1', '-t', '--mode', 'interactive', '--', 'ls'])).stderr).toBe(
      "Error: You can't pass -t or -T at the same time as --mode\n",
    );
    expect(t.fake.requests).toEqual([]);
  });

  it('runs interactively on a terminal: raw mode, one websocket, window size and signals on the control socket', async () => {
    const control: string[] = [];
    let controlMessage!: () => void;
    let signalled = new Promise<void>((resolve) => (controlMessage = resolve));
    let ended!: () => void;
    const sessionEnded = new Promise<void>((resolve) => (ended = resolve));
    const typed: string[] = [];
    t.fake
      .on(
        'POST',
        '/1.0/instances/c1/exec',
        asyncOperation({ id: 'op-exec', class: 'websocket', metadata: { fds: { '0': 'tty', control: 'ctl' } } }),
      )
      .onWebSocket(EXEC_PATH, (socket, req) => {
        if (req.query.secret === 'ctl') {
          socket.on('message', (data: Buffer) => {
            control.push(data.toString());
            controlMessage();
          });
          return;
        }
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary) return;
          typed.push(data.toString());
          socket.send(Buffer.from(`echo:${data.toString()}`), { binary: true }, () => {
            if (!typed.join('').includes('exit')) return;
            socket.once('close', ended);
            socket.close(1000);
          });
        });
      })
      .on('GET', '/1.0/operations/op-exec/wait', async () => {
        await sessionEnded;
        return sync({ id: 'op-exec', status: 'Success', status_code: 200, metadata: { return: 130 } });
      });

    let handler: ((signal: NodeJS.Signals) => void) | undefined;
    let trapped: readonly NodeJS.Signals[] = [];
    const raw: string[] = [];
    const terminal: Terminal = {
      stdinIsTerminal: true,
      stdoutIsTerminal: true,
      stderrIsTerminal: true,
      size: () => ({ width: 120, height: 40 }),
      stderrWidth: () => 120,
      makeRaw: () => {
        raw.push('raw');
        return () => raw.push('restored');
      },
      trapSignals: (signals, h) => {
        trapped = signals;
        handler = h;
        return () => {
          handler = undefined;
        };
      },
    };
    const stdin = new PassThrough();
    const output: Buffer[] = [];
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output.push(chunk);
        done();
      },
    });
    const io: Io = {
      stdout: () => undefined,
      stderr: () => undefined,
      env: { ...t.env, TERM: 'xterm-256color' },
      stdin: new TextInput('', true),
      editor: async (text) => text,
      streams: { stdin, stdout, stderr: stdout },
      terminal,
    };
    const running = run(['exec', 'c1', '--', 'sh'], io);
    while (!handler) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(raw).toEqual(['raw']);
    expect(trapped).toEqual(expect.arrayContaining(['SIGWINCH', 'SIGINT', 'SIGTERM', 'SIGHUP']));
    handler('SIGWINCH');
    await signalled;
    signalled = new Promise<void>((resolve) => (controlMessage = resolve));
    handler('SIGINT');
    await signalled;
    stdin.write('ls\r');
    await new Promise((resolve) => setTimeout(resolve, 20));
    stdin.write('exit\r');
    const code = await running;

    expect(code).toBe(130);
    expect(raw).toEqual(['raw', 'restored']);
    expect(handler).toBeUndefined();
    expect(Buffer.concat(output).toString()).toBe('echo:ls\recho:exit\r');
    expect(control).toEqual([
      '{"command":"window-resize","args":{"height":"40","width":"120"},"signal":0}',
      '{"command":"signal","args":null,"signal":2}',
    ]);
    expect(t.fake.requests[0].body).toMatchObject({
      interactive: true,
      environment: { TERM: 'xterm-256color' },
      width: 120,
      height: 40,
    });
  });
});
