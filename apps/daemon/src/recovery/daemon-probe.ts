/**
 * Whether a daemon answers on a unix socket: a connection that is accepted (or still pending after
 * the timeout) means one is running; a missing socket file, a refused connection or a file that is
 * not a socket means none is.
 */
import * as net from 'node:net';

const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

export function daemonAnswers(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const done = (running: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(running);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code && NOT_LISTENING.has(err.code)) done(false);
      else if (err.code === 'EAGAIN') done(true);
      else {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`cannot tell whether the daemon is running on ${socketPath}: ${err.message}`));
      }
    });
  });
}
