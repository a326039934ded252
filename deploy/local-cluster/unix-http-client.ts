/**
 * HTTP/1.1 over a unix socket with keep-alive connections (one http.Agent per client), the way
 * LXD clients talk to a local daemon. Replies are read whole; nothing is parsed here.
 */
import * as http from 'node:http';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class HttpRequestTimeout extends Error {
  constructor(method: string, path: string, timeoutMs: number) {
    super(`${method} ${path} got no answer within ${timeoutMs} ms`);
    this.name = 'HttpRequestTimeout';
  }
}

export class UnixHttpClient {
  private readonly agent: http.Agent;

  /** `connections`: how many keep-alive connections this client may hold open at once. */
  constructor(
    readonly socketPath: string,
    connections = 1,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  }

  /** Sends one request; `body` is sent as JSON. Rejects on a transport error or after `timeoutMs`. */
  request(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<HttpReply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<HttpReply>((resolve, reject) => {
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
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new HttpRequestTimeout(method, path, timeoutMs)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
