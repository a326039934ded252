import * as https from 'node:https';
import type WebSocket from 'ws';
import { LxdClient, type LxdClientOptions } from './client';
import { ConnectionError } from './cubed-error';
import { AgentTransport } from './http-transport';
import { webSocketClass } from './lazy-libraries';

/** A client certificate and its private key, PEM. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

export interface HttpsClientOptions extends LxdClientOptions {
  /** Presented to the server (LXD trusts clients by certificate). */
  clientCertificate?: TlsIdentity;
  /**
   * The server certificate trusted for this remote (PEM, `servercerts/<remote>.crt`): the server's certificate
   * must be it (or be issued by it), and its host name is not checked. Without one the system CAs decide.
   */
  serverCertificate?: string;
}

/** Whether a connection failed because the server's certificate was not trusted (as opposed to not answering). */
export function isTlsVerificationFailure(err: unknown): boolean {
  return err instanceof ConnectionError && err.code !== undefined && isTlsCode(err.code);
}

function isTlsCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_|ERR_SSL|ERR_TLS|EPROTO/.test(code);
}

/** HTTPS to a remote daemon with a client certificate, with keep-alive. */
export class HttpsTransport extends AgentTransport {
  protected readonly agent: https.Agent;
  protected readonly start = https.request;
  private readonly host: string;
  private readonly port: number;
  private readonly pinned: boolean;
  private readonly tlsOptions: https.AgentOptions;

  constructor(
    readonly address: string,
    options: Pick<HttpsClientOptions, 'clientCertificate' | 'serverCertificate'> = {},
  ) {
    super();
    const url = new URL(address);
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port ? Number(url.port) : 8443;
    this.pinned = options.serverCertificate !== undefined;
    this.tlsOptions = {
      cert: options.clientCertificate?.cert,
      key: options.clientCertificate?.key,
      ...(options.serverCertificate !== undefined
        ? { ca: options.serverCertificate, checkServerIdentity: () => undefined }
        : {}),
    };
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 8, ...this.tlsOptions });
  }

  /** `wss://<host>:<port><path>` with the same certificates. */
  openWebSocket(path: string, headers: Record<string, string>): WebSocket {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    const Socket = webSocketClass();
    return new Socket(`wss://${host}:${this.port}${path}`, { headers, ...this.tlsOptions });
  }

  protected requestOptions(): https.RequestOptions {
    return { host: this.host, port: this.port, agent: this.agent };
  }

  /** A better reason for a TLS verification failure. */
  protected override describe(err: NodeJS.ErrnoException): string | undefined {
    if (!err.code || !isTlsCode(err.code)) return undefined;
    return this.pinned
      ? `the server's certificate is not the one trusted for this remote (${err.message})`
      : `the server's certificate is not trusted (${err.message})`;
  }
}

/** A client of a remote daemon over HTTPS. */
export class HttpsClient extends LxdClient {
  constructor(address: string, options: HttpsClientOptions = {}) {
    super(new HttpsTransport(address, options), options);
  }
}
