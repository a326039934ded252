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

/** http.request or https.request. */
type StartRequest = (
  options: http.RequestOptions,
  onResponse: (res: http.IncomingMessage) => void,
) => http.ClientRequest;

/**
 * A transport whose requests go through a Node agent (http.request or https.request with the options of
 * `requestOptions`). Failures to connect become ConnectionErrors naming `address`, with `describe`'s reason when
 * it has one.
 */
export abstract class AgentTransport implements HttpTransport {
  abstract readonly address: string;
  protected abstract readonly agent: http.Agent;
  protected abstract readonly start: StartRequest;

  abstract openWebSocket(path: string, headers: Record<string, string>): WebSocket;

  /** Where requests go, with the agent. */
  protected abstract requestOptions(): http.RequestOptions;

  /** A better reason than the generic one for an error code (TLS verification failures, for instance), if any. */
  protected describe(_err: NodeJS.ErrnoException): string | undefined {
    return undefined;
  }

  /** Sends `ex` and collects the answer; the timeout covers the whole answer. */
  send(ex: HttpExchange): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = this.begin(ex, reject, (res, answered) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          answered();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          answered();
          reject(new ConnectionError(`request to the Cubed daemon at ${this.address} failed: ${err.message}`));
        });
      });
      req.end(ex.body);
    });
  }

  /**
   * Sends `ex`, streaming its body, and resolves with the answer as soon as its headers arrived (the timeout
   * covers only that wait). A body that fails to read aborts the request with its error.
   */
  stream(ex: StreamExchange): Promise<StreamAnswer> {
    return new Promise((resolve, reject) => {
      const req = this.begin(ex, reject, (res, answered) => {
        answered();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
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

  close(): void {
    this.agent.destroy();
  }

  /**
   * Starts the request of `ex`, destroyed with a ConnectionError when `ex.timeoutMs` passes before `onResponse`
   * calls `answered`; its failures reject through `reject`.
   */
  private begin(
    ex: HttpExchange | StreamExchange,
    reject: (err: Error) => void,
    onResponse: (res: http.IncomingMessage, answered: () => void) => void,
  ): http.ClientRequest {
    const options = { ...this.requestOptions(), method: ex.method, path: ex.path, headers: ex.headers };
    const req = this.start(options, (res) => onResponse(res, () => clearTimeout(timer)));
    const timer =
      ex.timeoutMs === null
        ? undefined
        : setTimeout(() => {
            req.destroy(
              new ConnectionError(
                `no answer from the Cubed daemon at ${this.address} within ${ex.timeoutMs} ms`,
                'ETIMEDOUT',
              ),
            );
          }, ex.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(requestFailure(this.address, err, (e) => this.describe(e)));
    });
    return req;
  }
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
