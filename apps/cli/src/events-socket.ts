import type { LxdClient } from './client';
import { CubedError } from './cubed-error';
import { onHandshakeFailure } from './websocket-handshake';

/** How the events websocket ended. */
export interface EventStreamEnd {
  code: number;
  reason: string;
}

/** RFC 6455 close codes as gorilla/websocket names them in its errors. */
const CLOSE_NAMES: Record<number, string> = {
  1000: 'normal',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1012: 'service restart',
  1013: 'try again later',
  1015: 'TLS handshake',
};

/** The error lxc reports when the events websocket closes (`websocket: close 1000 (normal)`). */
export function closeError(end: EventStreamEnd): CubedError {
  const name = CLOSE_NAMES[end.code];
  const reason = end.reason || (end.code === 1006 ? 'unexpected EOF' : '');
  return new CubedError(`websocket: close ${end.code}${name ? ` (${name})` : ''}${reason ? `: ${reason}` : ''}`);
}

/**
 * Connects to the daemon's event stream (a websocket on `path`, e.g. `/1.0/events?type=lifecycle`) and passes every
 * text message to `onMessage` until the stream closes; resolves with how it closed. A refused upgrade rejects with
 * the daemon's error message, a failed connection with a ConnectionError; an error thrown by `onMessage` closes the
 * stream and rejects with it.
 */
export function streamEvents(
  client: LxdClient,
  path: string,
  onMessage: (text: string) => void,
): Promise<EventStreamEnd> {
  return new Promise((resolve, reject) => {
    const socket = client.openWebSocket(path);
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    onHandshakeFailure(socket, client.address, fail);
    socket.on('message', (data, isBinary) => {
      if (isBinary || settled) return;
      try {
        onMessage(data.toString());
      } catch (err) {
        fail(err as Error);
        socket.terminate();
      }
    });
    socket.on('close', (code, reason) => {
      if (settled) return;
      settled = true;
      resolve({ code, reason: reason.toString() });
    });
  });
}
