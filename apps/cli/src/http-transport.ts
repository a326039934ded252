import type * as http from 'node:http';
import type { Readable } from 'node:stream';
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

/** A request whose body is sent as it is read and whose answer is read as it comes (file and image transfers). */
export interface StreamExchange {
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  body?: Buffer | Readable;
  /** Milliseconds to wait for the answer's headers; null waits without limit. */
  timeoutMs: number | null;
}

/** The answer to a StreamExchange: its body is still to be read. */
export interface StreamAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/** A connection to one daemon: the unix socket or HTTPS with a client certificate. */
export interface HttpTransport {
  /** Where the daemon is, for messages: the socket path or the https:// URL. */
  readonly address: string;
  send(exchange: HttpExchange): Promise<HttpAnswer>;
  /** Sends a request with a streamed body and hands over the answer once its headers arrived. */
  stream(exchange: StreamExchange): Promise<StreamAnswer>;
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
      reject(requestFailure(address, err, describe));
    });
    req.end(ex.body);
  });
}

/**
 * Sends `ex` like `exchange`, streaming its body, and resolves with the answer as soon as its headers arrived (the
 * timeout covers only that wait). A body that fails to read aborts the request with its error.
 */
export function streamExchange(
  address: string,
  start: (options: http.RequestOptions, onResponse: (res: http.IncomingMessage) => void) => http.ClientRequest,
  options: http.RequestOptions,
  ex: StreamExchange,
  describe: (err: NodeJS.ErrnoException) => string | undefined = () => undefined,
): Promise<StreamAnswer> {
  return new Promise((resolve, reject) => {
    const req = start({ ...options, method: ex.method, path: ex.path, headers: ex.headers }, (res) => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
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
      reject(requestFailure(address, err, describe));
    });
    const body = ex.body;
    if (body === undefined || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    body.once('error', (err) => req.destroy(err));
    body.pipe(req);
  });
}

/** The ConnectionError for a request that failed: one that could not connect, or one that broke off. */
function requestFailure(
  address: string,
  err: NodeJS.ErrnoException,
  describe: (err: NodeJS.ErrnoException) => string | undefined,
): Error {
  if (err instanceof ConnectionError) return err;
  const described = describe(err);
  const known = err.code !== undefined && err.code in REASONS;
  if (described === undefined && !known && err.syscall !== 'connect') {
    return new ConnectionError(`request to the Cubed daemon at ${address} failed: ${err.message}`, err.code);
  }
  const reason = described ?? (known ? REASONS[err.code!] : err.message);
  return new ConnectionError(`cannot connect to the Cubed daemon at ${address}: ${reason}`, err.code);
}
