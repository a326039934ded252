/** Hands connections to a gRPC server (a ConnectionInjector of grpc-js). */
export function grpcConnectionHandler(server: grpc.Server): { handle: (socket: tls.TLSSocket) => void; close: () => void } {
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    handle: (socket) => injector.injectConnection(socket),
    close: () => {
      injector.destroy();
      server.forceShutdown();
    },
  };
}

/**
 * The member's one network port (`cluster.https_address`, as LXD has one), shared by two protocols
 * told apart by TLS ALPN:
 *   - h2: the gRPC cluster service. Only a peer presenting the cluster certificate is let through.
 *   - http/1.1: the REST API, handed to the daemon (which decides trust per client certificate).
 * A client offering both (browsers, Go, Python) gets http/1.1; gRPC offers only h2.
 */
import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { certificateFingerprint, type ClusterTls, isClusterPeer } from './cluster-tls';

export interface ClusterListenerOptions {
  /** host:port to listen on (IPv6 as [addr]:port). */
  address: string;
  /** The certificate presented, and the one gRPC peers must present. */
  tls: ClusterTls;
  /** Takes the gRPC connections of peers that presented the cluster certificate; without it they are closed. */
  grpc?: (socket: tls.TLSSocket) => void;
  /** Takes HTTP/1.1 connections (the REST API); without it they are closed. */
  http?: (socket: tls.TLSSocket) => void;
  /** Told of connections refused because they did not present the cluster certificate. */
  onRefused?: (remote: string) => void;
}

export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address);
  if (!m) throw new RangeError(`bad address "${address}": expected host:port`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`bad port in address "${address}"`);
  return { host: m[1], port };
}

export class ClusterListener {
  private server?: tls.Server;
  private readonly sockets = new Set<net.Socket>();
  private boundPort = 0;
  private fingerprint: string;
  private tls: ClusterTls;

  constructor(private readonly opts: ClusterListenerOptions) {
    this.tls = opts.tls;
    this.fingerprint = certificateFingerprint(opts.tls.certPem);
  }

  get address(): string {
    return this.opts.address;
  }

  /** Presents another certificate from now on (and requires it from gRPC peers). */
  setTls(next: ClusterTls): void {
    this.tls = next;
    this.fingerprint = certificateFingerprint(next.certPem);
    this.server?.setSecureContext({ cert: next.certPem, key: next.keyPem, minVersion: 'TLSv1.2' });
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<void> {
    const { host, port } = splitHostPort(this.opts.address);
    const server = tls.createServer({
      cert: this.tls.certPem,
      key: this.tls.keyPem,
      requestCert: true,
      rejectUnauthorized: false, // trust is decided per protocol below, by certificate fingerprint
      ALPNCallback: ({ protocols }) => (protocols.includes('http/1.1') ? 'http/1.1' : protocols.includes('h2') ? 'h2' : undefined),
      minVersion: 'TLSv1.2',
      noDelay: true, // small Raft frames and answers must not wait for Nagle's algorithm
    });
    // Every connection from its first byte, so that close() also ends those still in their TLS
    // handshake (a peer that reconnects while this member stops would otherwise keep it waiting).
    server.on('connection', (raw: net.Socket) => {
      this.sockets.add(raw);
      raw.once('close', () => this.sockets.delete(raw));
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      if (!this.server) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (socket.alpnProtocol === 'h2') {
        if (!this.opts.grpc || !isClusterPeer(socket, this.fingerprint)) {
          this.opts.onRefused?.(`${socket.remoteAddress}:${socket.remotePort}`);
          socket.destroy();
          return;
        }
        this.opts.grpc(socket);
      } else if (this.opts.http) {
        this.opts.http(socket);
      } else {
        socket.destroy();
      }
    });
    server.on('tlsClientError', () => {
      // A failed handshake: nothing to serve.
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
