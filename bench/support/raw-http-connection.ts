/**
 * One keep-alive HTTP/1.1 connection over a unix socket, for load generation. Each request goes
 * out in one write and only what a load needs is read of the answer (the status, and the body by
 * Content-Length or chunked encoding), so the load generator takes as little CPU as it can from
 * the daemons that share the machine's cores (node's own http client costs several times as
 * much, see bench/RESULTS.md). One request at a time; the connection is dialled again after the
 * server closed it or a request failed.
 */
import * as net from 'node:net';

export interface RawReply {
  status: number;
  body: string;
}

export class RawHttpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawHttpError';
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** An answer's head larger than this is refused (no load answer comes near it). */
const MAX_HEAD_BYTES = 64 * 1024;

interface Pending {
  resolve: (r: RawReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** A HEAD request or a status that has no body (1xx, 204, 304). */
  bodiless: boolean;
}

/** What is known of the answer being read. */
interface Head {
  status: number;
  /** Body length by Content-Length; undefined when chunked or read until the connection closes. */
  length?: number;
  chunked: boolean;
  close: boolean;
}

export class RawHttpConnection {
  private socket?: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private pending?: Pending;
  private head?: Head;
  /** Chunked bodies: the chunks read so far. */
  private chunks: Buffer[] = [];

  constructor(readonly socketPath: string) {}

  /** Sends one request (`body` as JSON); rejects on a transport or protocol error, or after `timeoutMs`. */
  request(method: string, path: string, body: unknown, timeoutMs: number): Promise<RawReply> {
    if (this.pending) return Promise.reject(new RawHttpError('a request is already in flight on this connection'));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n` +
      (payload === undefined ? '\r\n' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n`);
    return new Promise<RawReply>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new RawHttpError(`${method} ${path} got no answer within ${timeoutMs} ms`)), timeoutMs);
      this.pending = { resolve, reject, timer, bodiless: method === 'HEAD' };
      this.connection().write(payload === undefined ? head : head + payload);
    });
  }

  close(): void {
    this.fail(new RawHttpError('the connection was closed'));
  }

  private connection(): net.Socket {
    if (this.socket) return this.socket;
    const socket = net.createConnection(this.socketPath);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
      try {
        this.parse();
      } catch (err) {
        this.fail(err as Error);
      }
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      // An answer without a length ends with the connection.
      if (this.pending && this.head && this.head.length === undefined && !this.head.chunked) {
        this.finish(this.buffered);
        return;
      }
      this.fail(new RawHttpError('the server closed the connection'));
    });
    this.socket = socket;
    return socket;
  }

  /** Reads as much of the answer as has arrived. */
  private parse(): void {
    if (!this.pending) {
      if (this.buffered.length > 0) throw new RawHttpError('the server sent bytes nobody asked for');
      return;
    }
    if (!this.head) {
      const end = this.buffered.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffered.length > MAX_HEAD_BYTES) throw new RawHttpError('the answer has no end of its head');
        return;
      }
      this.head = parseHead(this.buffered.toString('latin1', 0, end), this.pending.bodiless);
      this.buffered = this.buffered.subarray(end + HEADER_END.length);
    }
    const head = this.head;
    if (head.chunked) {
      this.parseChunks();
      return;
    }
    if (head.length === undefined) return; // until the connection closes
    if (this.buffered.length < head.length) return;
    const body = this.buffered.subarray(0, head.length);
    this.buffered = this.buffered.subarray(head.length);
    this.finish(body);
  }

  private parseChunks(): void {
    for (;;) {
      const lineEnd = this.buffered.indexOf(CRLF);
      if (lineEnd < 0) return;
      const size = Number.parseInt(this.buffered.toString('latin1', 0, lineEnd).split(';')[0], 16);
      if (!Number.isFinite(size) || size < 0) throw new RawHttpError('the answer has a bad chunk size');
      if (size === 0) {
        // The last chunk, then trailers (none expected) and an empty line.
        const end = this.buffered.indexOf(CRLF, lineEnd + CRLF.length);
        if (end < 0) return;
        this.buffered = this.buffered.subarray(end + CRLF.length);
        this.finish(Buffer.concat(this.chunks));
        return;
      }
      const start = lineEnd + CRLF.length;
      if (this.buffered.length < start + size + CRLF.length) return;
      this.chunks.push(this.buffered.subarray(start, start + size));
      this.buffered = this.buffered.subarray(start + size + CRLF.length);
    }
  }

  private finish(body: Buffer): void {
    const pending = this.pending!;
    const head = this.head!;
    this.pending = undefined;
    this.head = undefined;
    this.chunks = [];
    clearTimeout(pending.timer);
    if (head.close) this.drop();
    pending.resolve({ status: head.status, body: body.toString('utf8') });
  }

  private fail(err: Error): void {
    this.drop();
    const pending = this.pending;
    this.pending = undefined;
    this.head = undefined;
    this.chunks = [];
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.reject(err);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.buffered = Buffer.alloc(0);
    socket?.destroy();
  }
}

/** The status line and the headers that say how the body is delimited. */
function parseHead(text: string, bodiless: boolean): Head {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new RawHttpError(`the answer does not start with an HTTP/1.1 status line: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const status = Number(m[1]);
  let length: number | undefined;
  let chunked = false;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon < 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim().toLowerCase();
    if (name === 'content-length') length = Number(value);
    else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked');
    else if (name === 'connection') close = value.split(',').some((v) => v.trim() === 'close');
  }
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) throw new RawHttpError('the answer has a bad Content-Length');
  if (bodiless || status < 200 || status === 204 || status === 304) return { status, length: 0, chunked: false, close };
  if (chunked) return { status, chunked: true, close };
  return { status, length, chunked: false, close: close || length === undefined };
}
