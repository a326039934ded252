import type * as http from 'node:http';
import type WebSocket from 'ws';
import { ConnectionError } from './cubed-error';

/** One HTTP request as the LXD client sends it. */
export interface HttpExchange {
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  body?: Buffer;
  /** Milliseconds to wait for the whole answer; null waits without limit (operation waits). */
  timeoutMs: number | null;
}

/** The answer to an HttpExchange. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A connection to one daemon: the unix socket or HTTPS with a client certificate. */
export interface HttpTransport {
  /** Where the daemon is, for messages: the socket path or the https:// URL. */
  readonly address: string;
  send(exchange: HttpExchange): Promise<HttpAnswer>;
  /** Opens a websocket to `path` on the same daemon. */
  openWebSocket(path: string, headers: Record<string, string>): WebSocket;
  /** Closes idle keep-alive connections. */
  close(): void;
}

/** Short reasons for the system errors a client meets when it connects. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such socket',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by peer',
};

/** A short reason for a system error (`connection refused`), else its message. */
export function reasonOf(err: NodeJS.ErrnoException): string {
  return (err.code !== undefined ? REASONS[err.code] : undefined) ?? err.message;
}

/**
 * Sends `exchange` through `request` (http.request or https.request with the transport's options filled in) and
 * collects the answer. Failures to connect become ConnectionErrors naming `address`; `describe` may give a
 * better reason for an error code (TLS verification failures, for instance).
 */
export function exchange(
  address: string,
  start: (options: http.RequestOptions, onResponse: (res: http.IncomingMessage) => void) => http.ClientRequest,
  options: http.RequestOptions,
  ex: HttpExchange,
  describe: (err: NodeJS.ErrnoException) => string | undefined = () => undefined,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = start({ ...options, method: ex.method, path: ex.path, headers: ex.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(new ConnectionError(`request to the Cubed daemon at ${address} failed: ${err.message}`));
      });
    });
    const timer =
      ex.timeoutMs === null
        ? undefined
        : setTimeout(() => {
            req.destroy(
              new ConnectionError(
                `no answer from the Cubed daemon at ${address} within ${ex.timeoutMs} ms`,
                'ETIMEDOUT',
              ),
            );
          }, ex.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof ConnectionError) return reject(err);
      const described = describe(err);
      const known = err.code !== undefined && err.code in REASONS;
      if (described === undefined && !known && err.syscall !== 'connect') {
        return reject(
          new ConnectionError(`request to the Cubed daemon at ${address} failed: ${err.message}`, err.code),
        );
      }
      const reason = described ?? (known ? REASONS[err.code!] : err.message);
      reject(new ConnectionError(`cannot connect to the Cubed daemon at ${address}: ${reason}`, err.code));
    });
    req.end(ex.body);
  });
}
