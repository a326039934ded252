import { PassThrough } from 'node:stream';
import { ProcessExit, SpawnedProcess } from '../process/command-runner';
import { ProcessInspector } from '../process/process-inspector';
import { PtyProcess } from '../process/pty-spawner';
import { pipeExecHandle, ptyExecHandle } from './attach-exec-handles';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Answers the children of lxc-attach from a list (one answer per look); pids of 700 and above are in the container. */
class FakeInspector implements ProcessInspector {
  readonly kills: [number, NodeJS.Signals | number][] = [];
  constructor(private readonly answers: number[][]) {}
  async children(): Promise<number[]> {
    return this.answers.length > 1 ? (this.answers.shift() as number[]) : this.answers[0];
  }
  async pidNamespace(pid: number): Promise<string | null> {
    return pid >= 700 ? 'pid:[4026532000]' : 'pid:[4026531836]';
  }
  kill(pid: number, signal: NodeJS.Signals | number): boolean {
    this.kills.push([pid, signal]);
    return true;
  }
}

function spawned(exit: Promise<ProcessExit>): SpawnedProcess {
  return { pid: 500, stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), kill: () => undefined, exit };
}

describe('pipeExecHandle', () => {
  it('signals the command (the child of lxc-attach in the container), not the helper, waiting for it to appear', async () => {
    const exit = deferred<ProcessExit>();
    const inspector = new FakeInspector([[], [501], [701]]);
    const handle = pipeExecHandle(spawned(exit.promise), inspector);
    await handle.signal('SIGTERM');
    expect(inspector.kills).toEqual([[701, 'SIGTERM']]);
    exit.resolve({ exitCode: null, signal: 'SIGTERM' });
    expect(await handle.exitCode).toBe(143);
    expect(handle.interactive).toBe(false);
    expect(() => handle.resize({ columns: 80, rows: 24 })).toThrow(/Only an interactive command/);
  });

  it('passes exit codes through and ignores signals after the end', async () => {
    const inspector = new FakeInspector([[]]);
    const handle = pipeExecHandle(spawned(Promise.resolve({ exitCode: 7, signal: null })), inspector);
    expect(await handle.exitCode).toBe(7);
    await handle.signal('SIGKILL');
    expect(inspector.kills).toEqual([]);
  });
});

describe('ptyExecHandle', () => {
  function fakePty(exit: Promise<ProcessExit>) {
    let listener: (chunk: Buffer) => void = () => undefined;
    const calls: string[] = [];
    const pty: PtyProcess = {
      pid: 600,
      write: (data) => calls.push(`write:${data.toString()}`),
      onData: (l) => (listener = l),
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
      resize: (columns, rows) => calls.push(`resize:${columns}x${rows}`),
      kill: () => undefined,
      exit,
    };
    return { pty, calls, emit: (text: string | Buffer) => listener(Buffer.from(text)) };
  }

  it('streams terminal output, input and resizes, and ends with the exit code', async () => {
    const exit = deferred<ProcessExit>();
    const { pty, calls, emit } = fakePty(exit.promise);
    const handle = ptyExecHandle(pty, new FakeInspector([[701]]));
    expect(handle.interactive).toBe(true);
    expect(handle.stderr).toBeNull();
    const output: Buffer[] = [];
    handle.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    const ended = new Promise((resolve) => handle.stdout.on('end', resolve));
    handle.stdin.write('ls\r');
    handle.resize({ columns: 120, rows: 40 });
    emit('/dev/pts/0\r\r\n');
    exit.resolve({ exitCode: 0, signal: null });
    expect(await handle.exitCode).toBe(0);
    await ended;
    expect(Buffer.concat(output).toString()).toBe('/dev/pts/0\r\n');
    expect(calls).toContain('write:ls\r');
    expect(calls).toContain('resize:120x40');
    expect(() => handle.resize({ columns: 0, rows: 10 })).toThrow(/Invalid window size/);
  });

  it('holds input back until the command runs inside the container', async () => {
    const exit = deferred<ProcessExit>();
    const { pty, calls } = fakePty(exit.promise);
    const inspector = new FakeInspector([[], [601], [601, 701]]);
    const handle = ptyExecHandle(pty, inspector);
    const written = new Promise((resolve) => handle.stdin.write('early\r', resolve));
    expect(calls).not.toContain('write:early\r');
    await written;
    expect(calls).toContain('write:early\r');
    exit.resolve({ exitCode: 0, signal: null });
    await handle.exitCode;
  });

  it('pauses the terminal while nobody reads and resumes when reading starts', async () => {
    const exit = deferred<ProcessExit>();
    const { pty, calls, emit } = fakePty(exit.promise);
    const handle = ptyExecHandle(pty, new FakeInspector([[701]]));
    emit(Buffer.alloc(64 * 1024, 'x'));
    expect(calls).toContain('pause');
    handle.stdout.resume();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.lastIndexOf('resume')).toBeGreaterThan(calls.indexOf('pause'));
    exit.resolve({ exitCode: 0, signal: null });
    await handle.exitCode;
  });
});
