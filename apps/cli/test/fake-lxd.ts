import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerIdentity } from './server-identity';

/** A request the fake daemon received. */
export interface RecordedRequest {
  via: 'unix' | 'https';
  method: string;
  /** The path without its query. */
  path: string;
  /** The decoded query parameters. */
  query: Record<string, string>;
  /** The path with its query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The JSON body, parsed (undefined without a body). */
  body: unknown;
  /** SHA-256 of the client certificate presented over HTTPS. */
  clientFingerprint?: string;
  websocket: boolean;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;
export type SocketHandler = (socket: WebSocket, req: RecordedRequest) => void;

/** LXD's sync envelope (HTTP 200 unless `status` says otherwise), with an ETag header when given. */
export function sync(metadata: unknown, options: { etag?: string; status?: number } = {}): Reply {
  return {
    status: options.status ?? 200,
    headers: options.etag ? { ETag: `"${options.etag}"` } : {},
    body: { type: 'sync', status: 'Success', status_code: 200, operation: '', error_code: 0, error: '', metadata },
  };
}

/** LXD's async envelope: HTTP 202, Location of the operation (the query LXD sometimes adds included). */
export function asyncOperation(
  operation: { id: string; [field: string]: unknown },
  location = `/1.0/operations/${operation.id}`,
): Reply {
  return {
    status: 202,
    headers: { Location: location },
    body: {
      type: 'async',
      status: 'Operation created',
      status_code: 100,
      operation: location,
      error_code: 0,
      error: '',
      metadata: operation,
    },
  };
}

/** LXD's error envelope. */
export function lxdError(code: number, message: string): Reply {
  return {
    status: code,
    headers: { 'X-Content-Type-Options': 'nosniff' },
    body: {
      type: 'error',
      status: '',
      status_code: 0,
      operation: '',
      error_code: code,
      error: message,
      metadata: null,
    },
  };
}

/**
 * A stand-in LXD daemon: an HTTP server on a unix socket and, optionally, an HTTPS server on 127.0.0.1 that asks
 * for (and records) client certificates. It answers the routes a test declares, records every request and
 * websocket upgrade, and answers anything else with LXD's 404 `not found`.
 */
export class FakeLxd {
  readonly requests: RecordedRequest[] = [];
  /** How many connections clients opened (keep-alive reuses them). */
  connectionsSeen = 0;
  private readonly routes = new Map<string, Handler>();
  private readonly sockets = new Map<string, SocketHandler>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<net.Socket>();
  private unixServer?: http.Server;
  private httpsServer?: https.Server;

  private constructor(readonly socketPath: string) {}

  /** Starts the unix socket server at `<stateDir>/unix.socket`, and the HTTPS one when an identity is given. */
  static async start(stateDir: string, identity?: ServerIdentity): Promise<FakeLxd> {
    fs.mkdirSync(stateDir, { recursive: true });
    const fake = new FakeLxd(path.join(stateDir, 'unix.socket'));
    fake.unixServer = http.createServer((req, res) => fake.handle('unix', req, res));
    fake.unixServer.on('upgrade', (req, socket, head) => fake.upgrade('unix', req, socket as net.Socket, head));
    fake.track(fake.unixServer);
    await new Promise<void>((resolve) => fake.unixServer!.listen(fake.socketPath, resolve));
    if (identity) {
      fake.httpsServer = https.createServer(
        { cert: identity.cert, key: identity.key, requestCert: true, rejectUnauthorized: false },
        (req, res) => fake.handle('https', req, res),
      );
      fake.httpsServer.on('upgrade', (req, socket, head) => fake.upgrade('https', req, socket as net.Socket, head));
      fake.track(fake.httpsServer);
      await new Promise<void>((resolve) => fake.httpsServer!.listen(0, '127.0.0.1', resolve));
    }
    return fake;
  }

  /** `https://127.0.0.1:<port>` of the HTTPS server. */
  get httpsAddress(): string {
    const address = this.httpsServer?.address();
    if (!address || typeof address === 'string') throw new Error('the fake daemon has no HTTPS server');
    return `https://127.0.0.1:${address.port}`;
  }

  /** `127.0.0.1:<port>`, as LXD lists its addresses. */
  get httpsHostPort(): string {
    return this.httpsAddress.replace('https://', '');
  }

  /** Answers `METHOD /path` (any query) with a fixed reply or a handler. */
  on(method: string, pathname: string, reply: Reply | Handler): this {
    this.routes.set(`${method} ${pathname}`, typeof reply === 'function' ? reply : () => reply);
    return this;
  }

  /** Accepts websocket upgrades on `/path` and hands the socket to `handler`. */
  onWebSocket(pathname: string, handler: SocketHandler): this {
    this.sockets.set(pathname, handler);
    return this;
  }

  /** The recorded requests as `METHOD url` lines, for asserting the sequence a command sends. */
  get sequence(): string[] {
    return this.requests.map((r) => `${r.method} ${r.url}${r.websocket ? ' [websocket]' : ''}`);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.connections) socket.destroy();
    const closing = [this.unixServer, this.httpsServer]
      .filter((s): s is http.Server => s !== undefined)
      .map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    await Promise.all(closing);
    this.wss.close();
  }

  private track(server: http.Server): void {
    const remember = (socket: net.Socket) => {
      this.connectionsSeen++;
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
    };
    server.on(server instanceof https.Server ? 'secureConnection' : 'connection', remember);
  }

  private record(via: 'unix' | 'https', req: http.IncomingMessage, text: string, websocket: boolean): RecordedRequest {
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const peer = via === 'https' ? (req.socket as tls.TLSSocket).getPeerCertificate() : undefined;
    const recorded: RecordedRequest = {
      via,
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      url: req.url ?? '',
      headers: req.headers,
      body,
      websocket,
      ...(peer && peer.raw ? { clientFingerprint: createHash('sha256').update(peer.raw).digest('hex') } : {}),
    };
    this.requests.push(recorded);
    return recorded;
  }

  private handle(via: 'unix' | 'https', req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = this.record(via, req, Buffer.concat(chunks).toString('utf8'), false);
      const handler = this.routes.get(`${recorded.method} ${recorded.path}`) ?? (() => lxdError(404, 'not found'));
      Promise.resolve()
        .then(() => handler(recorded))
        .then(
          (reply) => {
            const payload = JSON.stringify(reply.body);
            res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...(reply.headers ?? {}) });
            res.end(payload);
          },
          (err: Error) => {
            res.writeHead(500, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify(lxdError(500, err.message).body));
          },
        );
    });
  }

  private upgrade(via: 'unix' | 'https', req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const recorded = this.record(via, req, '', true);
    const handler = this.sockets.get(recorded.path);
    if (!handler) {
      const body = JSON.stringify(lxdError(404, 'not found').body);
      socket.end(
        `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => handler(ws, recorded));
  }
}
