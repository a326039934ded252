import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type WebSocket from 'ws';
import { pathSegment } from './api-path';
import type { LxdClient } from './client';
import { toGoJson } from './go-shapes';
import { InstanceExecControl } from './lxd-shapes';
import type { OperationInfo } from './lxd-types';
import { waitForOperationEnd } from './operation-wait';
import type { Terminal } from './terminal';
import { onHandshakeFailure } from './websocket-handshake';

/** What an exec session connects to the command. */
export interface ExecSessionOptions {
  /** One websocket for the command's terminal (fd "0"), instead of one per stream ("0", "1", "2"). */
  interactive: boolean;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Where window sizes and signals come from. */
  terminal: Terminal;
}

/** The signals forwarded to the command, as lxc's exec does (SIGWINCH becomes a window-resize when interactive). */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGWINCH',
  'SIGTERM',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGABRT',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGUSR1',
  'SIGUSR2',
  'SIGCONT',
];

/**
 * Attaches to an exec operation the way LXD's client does (ExecInstance with wait-for-websocket): the operation's
 * metadata `fds` holds a secret per websocket, each opened at /1.0/operations/<id>/websocket?secret=<secret>.
 * Data travels in binary frames; an empty text frame ends a stream (sent when standard input ends, received when
 * the command's output ends). The control websocket carries `window-resize` and `signal` messages, and stays
 * open until the command ended (closing it would kill the command). Resolves with the final operation (its
 * metadata `return` is the command's exit code) once the output is written.
 */
export async function runExecSession(
  client: LxdClient,
  operationUrl: string,
  created: OperationInfo,
  options: ExecSessionOptions,
): Promise<OperationInfo> {
  const fds = (created.metadata?.fds ?? {}) as Record<string, string>;
  const id = created.id ?? operationUrl.split('?')[0].split('/').pop() ?? '';
  const ended = waitForOperationEnd<OperationInfo>(client, operationUrl);
  ended.catch(() => undefined);
  const sockets: WebSocket[] = [];
  const open = async (fd: string) => {
    const secret = encodeURIComponent(fds[fd]);
    const socket = await connect(client, `/1.0/operations/${pathSegment(id)}/websocket?secret=${secret}`);
    sockets.push(socket);
    return socket;
  };
  let releaseSignals = () => undefined as void;
  let stopInput = () => undefined as void;
  try {
    const control = fds.control ? await open('control') : undefined;
    if (control) releaseSignals = forwardSignals(control, options);
    let output: Promise<void>;
    if (options.interactive) {
      const terminal = await open('0');
      output = receiveOutput(terminal, options.stdout);
      stopInput = sendInput(options.stdin, terminal);
    } else {
      const input = fds['0'] ? await open('0') : undefined;
      const stdout = fds['1'] ? await open('1') : undefined;
      const stdoutDone = stdout ? receiveOutput(stdout, options.stdout) : undefined;
      const stderr = fds['2'] ? await open('2') : undefined;
      const stderrDone = stderr ? receiveOutput(stderr, options.stderr) : undefined;
      if (input) stopInput = sendInput(options.stdin, input);
      output = Promise.all([stdoutDone, stderrDone]).then(() => {
        stopInput();
        for (const socket of [input, stdout, stderr]) socket?.close();
      });
    }
    const op = await ended;
    if (!op.err) await output;
    return op;
  } finally {
    stopInput();
    releaseSignals();
    for (const socket of sockets) {
      if (socket.readyState === socket.OPEN) socket.close(1000);
      else socket.terminate();
    }
  }
}

/** Opens an operation websocket; a refused upgrade rejects with the daemon's error. */
function connect(client: LxdClient, path: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = client.openWebSocket(path);
    onHandshakeFailure(socket, client.address, reject);
    socket.on('open', () => resolve(socket));
  });
}

/**
 * Sends standard input as binary frames, one chunk at a time (the next is read once the frame is sent), then the
 * empty text frame at its end. Returns the function that stops reading it.
 */
function sendInput(stdin: Readable, socket: WebSocket): () => void {
  let stopped = false;
  const onData = (chunk: Buffer) => {
    if (socket.readyState !== socket.OPEN) return;
    stdin.pause();
    socket.send(chunk, { binary: true }, () => {
      if (!stopped) stdin.resume();
    });
  };
  const onEnd = () => {
    if (socket.readyState === socket.OPEN) socket.send('', { binary: false });
  };
  const onError = () => onEnd();
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.once('error', onError);
  stdin.resume();
  return () => {
    if (stopped) return;
    stopped = true;
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('error', onError);
    stdin.pause();
  };
}

/**
 * Writes the binary frames of a websocket to `out` (holding the socket while `out` is full) until a text frame
 * (the end of the stream) or the socket's close.
 */
function receiveOutput(socket: WebSocket, out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      socket.off('message', onMessage);
      resolve();
    };
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (!isBinary) return finish();
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      if (!out.write(chunk)) {
        socket.pause();
        out.once('drain', () => socket.resume());
      }
    };
    socket.on('message', onMessage);
    socket.once('close', finish);
  });
}

/** Forwards the terminal's signals and window sizes on the control websocket; returns what stops it. */
function forwardSignals(control: WebSocket, options: ExecSessionOptions): () => void {
  const send = (message: { command: string; args?: Record<string, string> | null; signal?: number }) => {
    if (control.readyState === control.OPEN) control.send(JSON.stringify(toGoJson(message, InstanceExecControl)));
  };
  return options.terminal.trapSignals(FORWARDED_SIGNALS, (signal) => {
    if (signal === 'SIGWINCH') {
      if (!options.interactive) return;
      const size = options.terminal.size();
      if (size) send({ command: 'window-resize', args: { width: String(size.width), height: String(size.height) } });
      return;
    }
    const forwarded = signal === 'SIGHUP' && !hasControllingTerminal() ? 'SIGTERM' : signal;
    send({ command: 'signal', args: null, signal: os.constants.signals[forwarded] });
  });
}

/** Whether the process still has a controlling terminal (a SIGHUP without one is forwarded as SIGTERM, as lxc does). */
function hasControllingTerminal(): boolean {
  try {
    fs.closeSync(fs.openSync('/dev/tty', fs.constants.O_RDONLY | fs.constants.O_NOCTTY));
    return true;
  } catch {
    return false;
  }
}
