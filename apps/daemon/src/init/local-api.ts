/**
 * The daemon's API as `cubed init` (and other local commands) use it: JSON over the unix socket,
 * LXD envelopes, async operations waited for. Errors carry the daemon's message.
 */
import * as http from 'node:http';

export class LocalApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'LocalApiError';
  }
}

interface Envelope {
  type?: string;
  error?: string;
  error_code?: number;
  operation?: string;
  metadata?: unknown;
}

export class LocalApi {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(readonly socketPath: string) {}

  /** Sends a request; for an async answer, waits for the operation and fails if it failed. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const envelope = await this.send(method, path, body);
    if (envelope.type === 'async' && envelope.operation) {
      const op = await this.send('GET', `${envelope.operation.split('?')[0]}/wait`);
      const meta = op.metadata as { status?: string; err?: string; metadata?: unknown };
      if (meta?.status !== 'Success') throw new LocalApiError(meta?.err || `the operation ended ${meta?.status ?? 'without a status'}`, 400);
      return meta.metadata as T;
    }
    return envelope.metadata as T;
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, body?: unknown): Promise<Envelope> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<Envelope>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          method,
          path,
          agent: this.agent,
          headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let envelope: Envelope;
            try {
              envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope;
            } catch {
              reject(new LocalApiError(`the daemon answered HTTP ${res.statusCode} without JSON`, res.statusCode ?? 0));
              return;
            }
            if (envelope.type === 'error' || (res.statusCode ?? 0) >= 400) {
              reject(new LocalApiError(envelope.error || `HTTP ${res.statusCode}`, envelope.error_code || res.statusCode || 0));
              return;
            }
            resolve(envelope);
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(new LocalApiError(`cannot reach the Cubed daemon at ${this.socketPath}: ${err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'is it running?' : err.message}`, 0)),
      );
      req.end(payload);
    });
  }
}
