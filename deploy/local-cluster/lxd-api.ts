/**
 * LXD's REST envelopes over a unix socket: sync answers give their metadata, async answers are
 * operations (waited for when asked), error answers become an LxdApiError with LXD's message.
 */
import { type HttpReply, UnixHttpClient } from './unix-http-client';

export class LxdApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'LxdApiError';
  }
}

interface Envelope {
  type?: string;
  error?: string;
  error_code?: number;
  operation?: string;
  metadata?: unknown;
}

export interface LxdOperation {
  id: string;
  class: string;
  status: string;
  err: string;
  metadata: Record<string, unknown> | null;
}

function envelopeOf(method: string, path: string, reply: HttpReply): Envelope {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(reply.body) as Envelope;
  } catch {
    throw new LxdApiError(`${method} ${path}: HTTP ${reply.status} without a JSON body: ${reply.body.slice(0, 200)}`, reply.status);
  }
  if (envelope.type === 'error' || reply.status >= 400) {
    throw new LxdApiError(`${method} ${path}: HTTP ${reply.status}: ${envelope.error || 'no error message'}`, reply.status);
  }
  return envelope;
}

export class LxdApi {
  readonly http: UnixHttpClient;

  constructor(readonly socketPath: string) {
    this.http = new UnixHttpClient(socketPath, 2);
  }

  /** A sync request: its metadata. */
  async get<T>(path: string, timeoutMs?: number): Promise<T> {
    return (await this.send('GET', path, undefined, timeoutMs)).metadata as T;
  }

  async send(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<Envelope> {
    return envelopeOf(method, path, await this.http.request(method, path, body, timeoutMs));
  }

  /** A request answered with an operation that is still running (e.g. a join token): the operation. */
  async startOperation(method: string, path: string, body?: unknown): Promise<LxdOperation> {
    const envelope = await this.send(method, path, body);
    if (envelope.type !== 'async') throw new LxdApiError(`${method} ${path}: expected an async answer, got "${envelope.type}"`, 0);
    return envelope.metadata as LxdOperation;
  }

  close(): void {
    this.http.close();
  }
}
