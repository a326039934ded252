import * as http from 'node:http';

/** A failure to report to the user as `Error: <message>`. */
export class CubedError extends Error {
  constructor(
    message: string,
    /** HTTP status of an error envelope, if the daemon sent one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CubedError';
  }
}

interface Envelope {
  type: 'sync' | 'async' | 'error';
  error_code?: number;
  error?: string;
  metadata: unknown;
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such socket',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
};

/** HTTP client for the daemon's local API on its unix socket (keep-alive, JSON, LXD envelopes). */
export class UnixClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Sends a request and returns the `metadata` of the sync/async envelope; error envelopes throw CubedError. */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const { status, text } = await this.send(method, path, payload);
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      throw new CubedError(`unexpected response from the daemon (HTTP ${status}, not JSON)`, status);
    }
    if (envelope.type === 'error' || status >= 400) {
      throw new CubedError(envelope.error || `HTTP ${status}`, envelope.error_code || status);
    }
    return envelope.metadata as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, payload?: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Accept: 'application/json' };
      if (payload) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = payload.length;
      }
      const req = http.request(
        { socketPath: this.socketPath, path, method, headers, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new CubedError(`no answer from the Cubed daemon within ${this.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof CubedError) return reject(err);
        if (err.code && (err.syscall === 'connect' || err.code in REASONS)) {
          const reason = REASONS[err.code] ?? err.message;
          return reject(new CubedError(`cannot connect to the Cubed daemon at ${this.socketPath}: ${reason}`));
        }
        reject(new CubedError(`request to the Cubed daemon failed: ${err.message}`));
      });
      req.end(payload);
    });
  }
}
