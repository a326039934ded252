import * as http from 'node:http';
import WebSocket from 'ws';
import {
  exchange,
  streamExchange,
  type HttpAnswer,
  type HttpExchange,
  type HttpTransport,
  type StreamAnswer,
  type StreamExchange,
} from './http-transport';

/** HTTP over the daemon's unix socket, with keep-alive. */
export class UnixTransport implements HttpTransport {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  constructor(readonly socketPath: string) {}

  get address(): string {
    return this.socketPath;
  }

  send(ex: HttpExchange): Promise<HttpAnswer> {
    return exchange(this.socketPath, http.request, { socketPath: this.socketPath, agent: this.agent }, ex);
  }

  stream(ex: StreamExchange): Promise<StreamAnswer> {
    return streamExchange(this.socketPath, http.request, { socketPath: this.socketPath, agent: this.agent }, ex);
  }

  /** `ws+unix://<socket>:<path>`. */
  openWebSocket(path: string, headers: Record<string, string>): WebSocket {
    return new WebSocket(`ws+unix://${this.socketPath}:${path}`, { headers });
  }

  close(): void {
    this.agent.destroy();
  }
}
