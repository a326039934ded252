import { withoutQuery } from './api-path';
import type { LxdClient } from './client';
import type { OperationInfo } from './lxd-types';

/** How often an operation is asked for when the event stream cannot be used. */
const POLL_INTERVAL_MS = 500;

/** How long an event stream still being opened when watching stops may take to finish its handshake. */
const HANDSHAKE_GRACE_MS = 1000;

/**
 * Passes every update of an operation to `onUpdate` while it runs, the way lxc's operation handlers get them: from
 * the daemon's operation events (the websocket GET /1.0/events?type=operation), or, when the event stream cannot
 * be opened, by asking for the operation (GET /1.0/operations/<id>) twice a second. Failures are left to whoever
 * waits for the operation. Returns the function that stops watching.
 */
export function watchOperation(
  client: LxdClient,
  operationUrl: string,
  onUpdate: (op: OperationInfo) => void,
): () => void {
  const path = withoutQuery(operationUrl).replace(/\/+$/, '');
  const id = path.slice(path.lastIndexOf('/') + 1);
  let stopped = false;
  let poller: NodeJS.Timeout | undefined;
  const poll = () => {
    if (stopped || poller) return;
    poller = setInterval(() => {
      client.get<OperationInfo>(path).then(
        (op) => {
          if (!stopped && op) onUpdate(op);
        },
        () => undefined,
      );
    }, POLL_INTERVAL_MS);
  };
  const socket = client.openWebSocket('/1.0/events?type=operation');
  let opened = false;
  socket.on('open', () => {
    opened = true;
    if (stopped) socket.close(1000);
  });
  socket.on('unexpected-response', (_req, res) => {
    if (!stopped) poll();
    res.on('end', () => socket.terminate());
    res.resume();
  });
  socket.on('error', () => {
    if (!opened) poll();
  });
  socket.on('message', (data, isBinary) => {
    if (stopped || isBinary) return;
    let event: { type?: string; metadata?: OperationInfo };
    try {
      event = JSON.parse(data.toString()) as typeof event;
    } catch {
      return;
    }
    if (event.type === 'operation' && event.metadata?.id === id) onUpdate(event.metadata);
  });
  return () => {
    stopped = true;
    clearInterval(poller);
    if (socket.readyState === socket.OPEN) {
      socket.close(1000);
      return;
    }
    if (socket.readyState !== socket.CONNECTING) return;
    // Let the handshake end (the server may be answering it) rather than cut it, but not wait long.
    setTimeout(() => socket.terminate(), HANDSHAKE_GRACE_MS).unref();
  };
}
