/**
 * ExecHandles around `lxc-attach`. The command runs as a child of the lxc-attach process (LXC's attach
 * forks it with CLONE_PARENT), so signals for the command go to lxc-attach's children, never to
 * lxc-attach itself, which would merely detach. The exit code is lxc-attach's, which is the command's
 * (128+N when the command was killed by signal N).
 */
import * as os from 'node:os';
import { Readable, Writable } from 'node:stream';
import { ExecHandle, WindowSize } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { ProcessExit, SpawnedProcess } from '../process/command-runner';
import { ProcessInspector } from '../process/process-inspector';
import { PtyProcess } from '../process/pty-spawner';
import { OnlcrDecoder } from './onlcr-decoder';

/** Attempts to find the command while lxc-attach is still setting it up, 10 ms apart. */
const CHILD_LOOKUP_ATTEMPTS = 200;

function exitCodeOf(exit: ProcessExit): number {
  if (exit.exitCode !== null) return exit.exitCode;
  const number = exit.signal ? os.constants.signals[exit.signal] : undefined;
  return 128 + (number ?? 0);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function assertWindowSize(size: WindowSize): void {
  for (const value of [size.columns, size.rows]) {
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new RuntimeError('InvalidArgument', `Invalid window size ${size.columns}x${size.rows}`);
    }
  }
}

/**
 * Finds the command among lxc-attach's children: the one in another pid namespace (the container's).
 * lxc-attach first forks a helper that stays in the host's pid namespace and enters the container's
 * other namespaces; the command itself is forked from there into lxc-attach's children.
 */
class AttachedCommand {
  private finished = false;

  constructor(
    private readonly attachPid: number,
    private readonly inspector: ProcessInspector,
    exit: Promise<ProcessExit>,
  ) {
    void exit.then(() => {
      this.finished = true;
    });
  }

  /** The command's host pids once it runs; empty when lxc-attach ended first. */
  async find(): Promise<number[]> {
    const ownNamespace = await this.inspector.pidNamespace(this.attachPid);
    for (let attempt = 0; attempt < CHILD_LOOKUP_ATTEMPTS && !this.finished; attempt++) {
      const inside: number[] = [];
      for (const child of await this.inspector.children(this.attachPid)) {
        const namespace = await this.inspector.pidNamespace(child);
        if (namespace !== null && namespace !== ownNamespace) inside.push(child);
      }
      if (inside.length > 0) return inside;
      await delay(10);
    }
    if (!this.finished) throw new RuntimeError('Failed', 'The command did not start inside the container');
    return [];
  }

  async signal(signal: NodeJS.Signals | number): Promise<void> {
    for (const pid of await this.find()) this.inspector.kill(pid, signal);
  }
}

export function pipeExecHandle(child: SpawnedProcess, inspector: ProcessInspector): ExecHandle {
  const command = new AttachedCommand(child.pid, inspector, child.exit);
  return {
    interactive: false,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    signal: (signal) => command.signal(signal),
    resize: () => {
      throw new RuntimeError('InvalidState', 'Only an interactive command has a terminal to resize');
    },
    exitCode: child.exit.then(exitCodeOf),
  };
}

/**
 * An interactive lxc-attach on a host pty. Its output is passed through `OnlcrDecoder`. Input is held
 * back until the command runs: lxc-attach switches its terminal to raw mode with TCSAFLUSH, which
 * discards whatever was typed before, and it does so before it forks the command.
 */
export function ptyExecHandle(terminal: PtyProcess, inspector: ProcessInspector): ExecHandle {
  const command = new AttachedCommand(terminal.pid, inspector, terminal.exit);
  const started = command.find();
  started.catch(() => undefined);
  const decoder = new OnlcrDecoder();
  const stdout = new Readable({
    read: () => terminal.resume(),
  });
  terminal.onData((chunk) => {
    const decoded = decoder.decode(chunk);
    if (decoded.length > 0 && !stdout.push(decoded)) terminal.pause();
  });
  const stdin = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      started.then(
        () => {
          terminal.write(chunk);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  const exitCode = terminal.exit.then((exit) => {
    const rest = decoder.flush();
    if (rest.length > 0) stdout.push(rest);
    stdout.push(null);
    return exitCodeOf(exit);
  });
  return {
    interactive: true,
    stdin,
    stdout,
    stderr: null,
    signal: (signal) => command.signal(signal),
    resize: (size) => {
      assertWindowSize(size);
      terminal.resize(size.columns, size.rows);
    },
    exitCode,
  };
}
