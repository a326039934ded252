import * as os from 'node:os';
import type * as http from 'node:http';
import type { Readable } from 'node:stream';
import type WebSocket from 'ws';
import { withQuery } from './api-path';
import { ConnectionError, CubedError } from './cubed-error';
import type { HttpTransport } from './http-transport';
import { waitForOperation } from './operation-wait';
import { UnixTransport } from './unix-transport';
import { packageVersion } from './version';

export { ConnectionError, CubedError };

/** An LXD response envelope that is not an error. */
export interface LxdResponse<T = unknown> {
  type: 'sync' | 'async';
  /** The HTTP status (200, 201, 202). */
  status: number;
  metadata: T;
  /** The `ETag` header as sent (quotes included), to be given back in `If-Match`. */
  etag?: string;
  /** For async responses: the operation's URL (the `operation` field, else the `Location` header). */
  operation?: string;
}

export interface RequestOptions {
  /** Sent as `If-Match`. */
  etag?: string;
  /** Overrides the client's timeout; null waits without limit. */
  timeoutMs?: number | null;
}

export interface LxdClientOptions {
  userAgent?: string;
  /** The project of every request; `default` (or none) sends no `?project=`. */
  project?: string;
  timeoutMs?: number;
}

interface Envelope {
  type?: string;
  status_code?: number;
  error_code?: number;
  error?: string;
  operation?: string;
  metadata?: unknown;
}

/** `Cube <version> (Linux; x86_64)`, in the form of LXD's user agent. */
export function userAgent(): string {
  return `Cube ${packageVersion()} (${os.type()}; ${os.machine()})`;
}

/**
 * A client of the LXD REST API over one transport: JSON bodies, LXD envelopes (error envelopes throw CubedError),
 * ETags, `?project=` for a non-default project, and waiting for async operations.
 */
export class LxdClient {
  readonly project: string | undefined;
  private readonly timeoutMs: number;
  private readonly agentName: string;

  constructor(
    protected readonly transport: HttpTransport,
    options: LxdClientOptions = {},
  ) {
    this.project = options.project && options.project !== 'default' ? options.project : undefined;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.agentName = options.userAgent ?? userAgent();
  }

  /** Where the daemon is (socket path or URL). */
  get address(): string {
    return this.transport.address;
  }

  /** The same daemon in another project (the connection is shared). */
  withProject(project: string | undefined): LxdClient {
    return new LxdClient(this.transport, { userAgent: this.agentName, project, timeoutMs: this.timeoutMs });
  }

  /** Sends a request; returns the envelope of a sync or async answer. */
  async query<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<LxdResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': this.agentName };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = payload.length;
    }
    if (options.etag) headers['If-Match'] = options.etag;
    const answer = await this.transport.send({
      method,
      path: this.projectPath(path),
      headers,
      body: payload,
      timeoutMs: options.timeoutMs === undefined ? this.timeoutMs : options.timeoutMs,
    });
    return readEnvelope<T>(answer.status, answer.headers, answer.text);
  }

  /**
   * Sends a raw body (a file, an image): `headers` say what it is, the answer is an LXD envelope as for `query`.
   * The request has no time limit.
   */
  async upload<T = unknown>(
    method: string,
    path: string,
    body: Buffer | Readable,
    headers: http.OutgoingHttpHeaders,
  ): Promise<LxdResponse<T>> {
    const answer = await this.transport.stream({
      method,
      path: this.projectPath(path),
      headers: { ...headers, Accept: 'application/json', 'User-Agent': this.agentName },
      body,
      timeoutMs: null,
    });
    return readEnvelope<T>(answer.status, answer.headers, await readText(answer.body));
  }

  /**
   * GET of a raw answer (a file's content, a log): resolves once its headers arrived, with the body still to be
   * read. An answer other than 200 is read as an LXD envelope and throws its error.
   */
  async download(path: string): Promise<{ headers: http.IncomingHttpHeaders; body: http.IncomingMessage }> {
    const answer = await this.transport.stream({
      method: 'GET',
      path: this.projectPath(path),
      headers: { 'User-Agent': this.agentName },
      timeoutMs: this.timeoutMs,
    });
    if (answer.status !== 200) {
      readEnvelope(answer.status, answer.headers, await readText(answer.body));
      throw new CubedError(`HTTP ${answer.status}`, answer.status);
    }
    return { headers: answer.headers, body: answer.body };
  }

  /** Sends a request and returns the `metadata` of the answer (for an async answer: the operation as created). */
  async request<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return (await this.query<T>(method, path, body, options)).metadata;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** GET with the ETag of the answer. */
  async getWithEtag<T = unknown>(path: string): Promise<{ value: T; etag?: string }> {
    const response = await this.query<T>('GET', path);
    return { value: response.metadata, etag: response.etag };
  }

  /**
   * Sends a request; an async answer is waited for (GET /1.0/operations/<id>/wait) and a failed operation throws
   * its error. Returns the metadata of a sync answer, or the finished operation.
   */
  async perform<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    const response = await this.query<T>(method, path, body, options);
    if (response.type === 'sync') return response.metadata;
    if (!response.operation) throw new CubedError('the daemon answered with an operation but gave no operation URL');
    return (await waitForOperation(this, response.operation)) as T;
  }

  /** Opens a websocket to `path` (events), with the project and the user agent of the client's requests. */
  openWebSocket(path: string): WebSocket {
    return this.transport.openWebSocket(this.projectPath(path), { 'User-Agent': this.agentName });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  /** `?project=` for a non-default project, unless the path asks for all projects (as LXD's client does). */
  private projectPath(path: string): string {
    if (new URLSearchParams(path.split('?')[1] ?? '').has('all-projects')) return path;
    return withQuery(path, { project: this.project });
  }
}

/** A client of the daemon's local API on its unix socket. */
export class UnixClient extends LxdClient {
  constructor(
    readonly socketPath: string,
    timeoutMs = 30_000,
    options: Omit<LxdClientOptions, 'timeoutMs'> = {},
  ) {
    super(new UnixTransport(socketPath), { ...options, timeoutMs });
  }
}

/** The LXD envelope of an answer: an error envelope (or an HTTP error) throws CubedError. */
function readEnvelope<T>(status: number, headers: http.IncomingHttpHeaders, text: string): LxdResponse<T> {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    throw new CubedError(`unexpected response from the daemon (HTTP ${status}, not JSON)`, status);
  }
  if (envelope === null || typeof envelope !== 'object') {
    throw new CubedError(`unexpected response from the daemon (HTTP ${status}, not an LXD envelope)`, status);
  }
  if (envelope.type === 'error' || status >= 400) {
    throw new CubedError(envelope.error || `HTTP ${status}`, envelope.error_code || status);
  }
  const etag = header(headers, 'etag');
  const location = header(headers, 'location');
  const async = envelope.type === 'async' || status === 202;
  return {
    type: async ? 'async' : 'sync',
    status,
    metadata: envelope.metadata as T,
    ...(etag ? { etag } : {}),
    ...(async ? { operation: envelope.operation || location } : {}),
  };
}

/** The whole of a body as UTF-8 text. */
async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
