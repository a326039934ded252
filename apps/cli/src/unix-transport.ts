import * as http from 'node:http';
import type WebSocket from 'ws';
import { AgentTransport } from './http-transport';
import { webSocketClass } from './lazy-libraries';

/** HTTP over the daemon's unix socket, with keep-alive. */
export class UnixTransport extends AgentTransport {
  protected readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  protected readonly start = http.request;

  constructor(readonly socketPath: string) {
    super();
  }

  get address(): string {
    return this.socketPath;
  }

  /** `ws+unix://<socket>:<path>`. */
  openWebSocket(path: string, headers: Record<string, string>): WebSocket {
    const Socket = webSocketClass();
    return new Socket(`ws+unix://${this.socketPath}:${path}`, { headers });
  }

  protected requestOptions(): http.RequestOptions {
    return { socketPath: this.socketPath, agent: this.agent };
  }
}
