/**
 * Byte streams over LXD's exec websockets: data travels as binary messages and the end of a stream is
 * a text message (LXD's "barrier", empty in practice). A close ends a stream as well.
 */
import type { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';

export interface WebsocketMessage {
  data: Buffer;
  isBinary: boolean;
}

/** What a websocket received while nobody was reading it yet. */
export interface HeldMessages {
  readonly messages: WebsocketMessage[];
  /** Whether the websocket closed meanwhile. */
  readonly closed: boolean;
  /** Stops holding: from now on the caller's own listeners get the messages. */
  release(): void;
}

/** Keeps the messages and the close of `socket` until a reader takes it over (ws cannot stop emitting them). */
export function holdMessages(socket: WebSocket): HeldMessages {
  const messages: WebsocketMessage[] = [];
  let closed = false;
  const onMessage = (data: Buffer, isBinary: boolean): void => {
    messages.push({ data, isBinary });
  };
  const onClose = (): void => {
    closed = true;
  };
  socket.on('message', onMessage);
  socket.once('close', onClose);
  return {
    messages,
    get closed() {
      return closed;
    },
    release: () => {
      socket.off('message', onMessage);
      socket.off('close', onClose);
    },
  };
}

/**
 * Reads `socket` from now on: `held` messages first, then each new one, then the close (also when it
 * happened while held).
 */
export function readMessages(socket: WebSocket, held: HeldMessages | null, onMessage: (message: WebsocketMessage) => void, onClose: () => void): void {
  held?.release();
  for (const message of held?.messages ?? []) onMessage(message);
  if (held?.closed || socket.readyState === WebSocket.CLOSED) {
    onClose();
    return;
  }
  socket.on('message', (data: Buffer, isBinary: boolean) => onMessage({ data, isBinary }));
  socket.once('close', onClose);
}

/**
 * Sends what `stream` yields as binary messages, then the barrier. Resolves once the barrier is sent,
 * or once the stream ended when the websocket is gone (the stream is still read to its end, so that
 * the writer never blocks on it). One message is in flight at a time.
 */
export function sendStream(stream: Readable, socket: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    let ended = false;
    const open = (): boolean => socket.readyState === WebSocket.OPEN;
    const end = (): void => {
      if (ended) return;
      ended = true;
      if (!open()) return resolve();
      socket.send(Buffer.alloc(0), { binary: false }, () => resolve());
    };
    stream.on('data', (chunk: Buffer) => {
      if (!open()) return;
      stream.pause();
      socket.send(chunk, { binary: true }, () => stream.resume());
    });
    stream.once('end', end);
    stream.once('error', end);
    stream.once('close', end);
  });
}

/**
 * Writes the binary messages of `socket` (after the `held` ones) into `target` until the barrier or
 * the close, then ends `target`; resolves then. The websocket is paused while `target` is full. A
 * `target` that fails (a command that stopped reading its input) takes nothing more.
 */
export function receiveStream(socket: WebSocket, target: Writable, held: HeldMessages | null = null): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    let broken = false;
    target.on('error', () => {
      broken = true;
      socket.resume();
    });
    const finish = (): void => {
      if (done) return;
      done = true;
      if (!broken) target.end();
      resolve();
    };
    readMessages(
      socket,
      held,
      ({ data, isBinary }) => {
        if (done) return;
        if (!isBinary) return finish();
        if (broken) return;
        if (!target.write(data)) {
          socket.pause();
          target.once('drain', () => socket.resume());
        }
      },
      finish,
    );
  });
}
