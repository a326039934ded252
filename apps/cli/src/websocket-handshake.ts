import type WebSocket from 'ws';
import { ConnectionError, CubedError } from './cubed-error';
import { reasonOf } from './http-transport';

/**
 * Passes the failures of `socket`'s handshake with the daemon at `address` to `fail`: a refused upgrade as a
 * CubedError with the daemon's error message (then the socket is terminated), a failed connection as a
 * ConnectionError. Errors after the socket opened are left to the caller.
 */
export function onHandshakeFailure(socket: WebSocket, address: string, fail: (err: Error) => void): void {
  let opened = false;
  socket.on('unexpected-response', (_req, res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      let message = `websocket: bad handshake (HTTP ${res.statusCode})`;
      try {
        const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: string };
        if (envelope.error) message = envelope.error;
      } catch {
        // not an LXD envelope
      }
      fail(new CubedError(message, res.statusCode));
      socket.terminate();
    });
  });
  socket.on('open', () => {
    opened = true;
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (!opened) {
      fail(new ConnectionError(`cannot connect to the Cubed daemon at ${address}: ${reasonOf(err)}`, err.code));
    }
  });
}
