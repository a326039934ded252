/**
 * An exec with `wait-for-websocket`, as LXD runs it: the operation offers one websocket per stream,
 * each opened with its own secret (`fds` in the operation's metadata): `0`, `1`, `2` and `control` for
 * a command on pipes, `0` (input and output of the terminal) and `control` for an interactive one.
 *
 * The command starts once the required websockets are connected (all but `control` on pipes, where
 * older clients never open it; both when interactive), and the operation fails when they are not
 * within 5 seconds. Input is written to the command until the client's barrier or close; output is
 * sent until its end, then the barrier. On `control`, `window-resize` (interactive) and `signal`
 * messages are obeyed, and closing it kills a command still running; without a control connection,
 * a client that reads from the stdout websocket or closes it kills the command instead. When the
 * command has exited and its output is sent, `return` (the exit status) joins the metadata, the
 * websockets are closed and the operation succeeds, or fails with LXD's error when the command could
 * not be found or executed, or could not start at all (`return` is then -1).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ExecHandle, ExecRequest, RuntimeDriver } from '@app/runtime';
import type { WebSocket } from 'ws';
import { LxdError } from '../../http/lxd-error';
import type { Operation, OperationWebsockets } from '../../operations/operation';
import { outputAfterExit } from './command-output-grace';
import { execExitError } from './exec-exit';
import { type HeldMessages, holdMessages, readMessages, receiveStream, sendStream } from './websocket-streams';

export type ExecFd = '0' | '1' | '2' | 'control';

export interface WebsocketExecOptions {
  driver: RuntimeDriver;
  /** The instance's name in the driver. */
  runtimeName: string;
  /** What runs; `interactive` set means a terminal. */
  request: ExecRequest;
  /** How long the client has to connect the required websockets (default 5 s, as LXD). */
  connectTimeoutMs?: number;
  /** How long output may stay open after the command exited (a process left in the background holds it). */
  outputGraceMs?: number;
  /** Told once the command runs. */
  onStarted?: () => void;
}

/** A control message (LXD's `InstanceExecControl`). */
interface ControlMessage {
  command?: unknown;
  args?: Record<string, unknown>;
  signal?: unknown;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

function newSecret(): string {
  return randomBytes(32).toString('hex');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function closeQuietly(socket: WebSocket | undefined): void {
  if (socket && socket.readyState !== socket.CLOSED && socket.readyState !== socket.CLOSING) socket.close(1000);
}

export class WebsocketExec implements OperationWebsockets {
  private readonly secrets = new Map<ExecFd, string>();
  private readonly reserved = new Set<ExecFd>();
  private readonly sockets = new Map<ExecFd, WebSocket>();
  private readonly held = new Map<ExecFd, HeldMessages>();
  private readonly interactive: boolean;
  private op?: Operation;
  private state: 'waiting' | 'starting' | 'running' | 'finished' = 'waiting';
  private handle?: ExecHandle;
  private exited = false;
  private connectTimer?: NodeJS.Timeout;

  constructor(private readonly options: WebsocketExecOptions) {
    this.interactive = options.request.interactive !== undefined;
    const fds: ExecFd[] = this.interactive ? ['0', 'control'] : ['0', '1', '2', 'control'];
    for (const fd of fds) this.secrets.set(fd, newSecret());
  }

  /** The `fds` of the operation's metadata: a secret per websocket. */
  fds(): Record<string, string> {
    return Object.fromEntries(this.secrets);
  }

  /** Starts waiting for the websockets of `op`, the operation created with this as its websockets. */
  attach(op: Operation): void {
    this.op = op;
    this.connectTimer = setTimeout(() => this.connectTimedOut(), this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    // An operation ended from outside (the daemon stopping) takes its command with it.
    void op.finished().then(() => {
      if (this.state === 'finished') return;
      this.state = 'finished';
      clearTimeout(this.connectTimer);
      this.kill();
      this.closeAll();
    });
  }

  accept(secret: string): (socket: WebSocket) => void {
    const fd = [...this.secrets].find(([, candidate]) => sameSecret(candidate, secret))?.[0];
    if (!fd) throw new LxdError(403, 'Forbidden');
    if (this.reserved.has(fd)) throw new LxdError(400, 'Websocket number already connected');
    this.reserved.add(fd);
    return (socket) => this.connected(fd, socket);
  }

  private connected(fd: ExecFd, socket: WebSocket): void {
    socket.on('error', () => socket.terminate());
    if (this.state === 'finished') {
      socket.close(1000);
      return;
    }
    this.sockets.set(fd, socket);
    if (this.state === 'running') {
      if (fd === 'control') this.readControl(socket, null);
      return;
    }
    this.held.set(fd, holdMessages(socket));
    if (this.state === 'waiting' && this.requiredConnected()) this.run().catch((err: Error) => this.finish(-1, err.message));
  }

  /** Whether the exec is over (it may end from outside while the command is being started). */
  private finished(): boolean {
    return this.state === 'finished';
  }

  private requiredConnected(): boolean {
    return [...this.secrets.keys()].every((fd) => (fd === 'control' && !this.interactive) || this.sockets.has(fd));
  }

  private connectTimedOut(): void {
    if (this.state !== 'waiting') return;
    this.state = 'finished';
    this.closeAll();
    this.op?.transition('Failure', 'Timed out waiting for websockets to connect');
  }

  private async run(): Promise<void> {
    this.state = 'starting';
    clearTimeout(this.connectTimer);
    let handle: ExecHandle;
    try {
      handle = await this.options.driver.exec(this.options.runtimeName, this.options.request);
    } catch (err) {
      this.finish(-1, (err as Error).message);
      return;
    }
    this.handle = handle;
    if (this.finished()) {
      this.kill();
      return;
    }
    this.state = 'running';
    this.options.onStarted?.();

    const outputs = this.interactive ? this.wireTerminal(handle) : this.wirePipes(handle);
    const control = this.sockets.get('control');
    if (control) this.readControl(control, this.held.get('control') ?? null);

    const exitCode = await handle.exitCode;
    this.exited = true;
    await outputAfterExit(outputs, [handle.stdout, handle.stderr], this.options.outputGraceMs);
    this.finish(exitCode, execExitError(exitCode));
  }

  /** Output and input of the terminal on websocket 0. */
  private wireTerminal(handle: ExecHandle): Promise<void>[] {
    const socket = this.sockets.get('0')!;
    void receiveStream(socket, handle.stdin, this.held.get('0') ?? null);
    return [sendStream(handle.stdout, socket)];
  }

  /** Input on websocket 0, output on 1 and 2. */
  private wirePipes(handle: ExecHandle): Promise<void>[] {
    const stdout = this.sockets.get('1')!;
    void receiveStream(this.sockets.get('0')!, handle.stdin, this.held.get('0') ?? null);
    // Nothing is expected from the client on stdout: a message or its close means the client went away.
    readMessages(stdout, this.held.get('1') ?? null, () => this.clientLeft(), () => this.clientLeft());
    this.held.get('2')?.release();
    return [sendStream(handle.stdout, stdout), sendStream(handle.stderr!, this.sockets.get('2')!)];
  }

  /** Without a control connection to watch, a client leaving the stdout websocket ends the command. */
  private clientLeft(): void {
    if (this.state === 'running' && !this.exited && !this.sockets.has('control')) this.kill();
  }

  private readControl(socket: WebSocket, held: HeldMessages | null): void {
    readMessages(
      socket,
      held,
      ({ data }) => this.obey(data),
      () => {
        // Closing the control connection while the command runs kills it.
        if (this.state === 'running' && !this.exited) this.kill();
      },
    );
  }

  private obey(data: Buffer): void {
    const handle = this.handle;
    if (!handle || this.exited) return;
    let message: ControlMessage;
    try {
      message = JSON.parse(data.toString('utf8')) as ControlMessage;
    } catch {
      return; // not a control message: ignored, as LXD does
    }
    if (message.command === 'window-resize' && this.interactive) {
      const columns = Number(message.args?.width);
      const rows = Number(message.args?.height);
      try {
        handle.resize({ columns, rows });
      } catch {
        // An invalid size is ignored, as LXD does.
      }
    } else if (message.command === 'signal' && typeof message.signal === 'number' && Number.isInteger(message.signal)) {
      handle.signal(message.signal).catch(() => undefined);
    }
  }

  private finish(exitCode: number, error: string | null): void {
    if (this.state === 'finished') return;
    this.state = 'finished';
    const op = this.op!;
    closeQuietly(this.sockets.get('control'));
    op.setMetadata({ ...(op.toJSON().metadata ?? {}), return: exitCode });
    this.closeAll();
    op.transition(error ? 'Failure' : 'Success', error ?? '');
  }

  private kill(): void {
    if (this.handle && !this.exited) this.handle.signal('SIGKILL').catch(() => undefined);
  }

  private closeAll(): void {
    for (const held of this.held.values()) held.release();
    for (const socket of this.sockets.values()) closeQuietly(socket);
  }
}
