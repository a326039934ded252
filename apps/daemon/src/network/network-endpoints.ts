/**
 * The member's HTTPS ports: `core.https_address` (the REST API for remote clients) and
 * `cluster.https_address` (the REST API and, for a clustered member, the cluster's gRPC service,
 * told apart by ALPN). One listener serves both when they are the same address. The certificate
 * presented is the cluster certificate once clustered, else the member's own. Changing the
 * addresses (server config) or the certificate (joining, leaving) takes effect at once.
 */
import type * as http from 'node:http';
import type * as tls from 'node:tls';
import { ClusterListener, type ClusterTls } from '@app/db';
import { type Databases } from '../database/databases';
import { readClusterTls } from '../database/cluster-tls-files';

export const DEFAULT_PORT = 8443;

/** host:port for an LXD-style address: a missing port is 8443, a missing host all interfaces. */
export function canonicalAddress(address: string): string {
  let a = address.trim();
  if (a === '') return '';
  if (/^\[[^\]]+\]$/.test(a) || (!a.includes(':') && !a.startsWith('['))) a = `${a}:${DEFAULT_PORT}`;
  else if (a.includes(':') && !a.startsWith('[') && a.indexOf(':') !== a.lastIndexOf(':')) a = `[${a}]:${DEFAULT_PORT}`; // a bare IPv6 address
  if (a.startsWith(':')) a = `[::]${a}`;
  return a;
}

export class NetworkEndpoints {
  private listeners = new Map<string, ClusterListener>();
  private httpEnabled = false;
  private serving = { grpcAddress: '', tls: undefined as ClusterTls | undefined };

  constructor(
    private readonly stateDir: string,
    private readonly databases: Databases,
    private readonly serverTls: ClusterTls,
    private readonly httpServer: http.Server,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** The certificate presented on HTTPS: the cluster's once clustered, else the member's own. */
  currentTls(): ClusterTls {
    return this.databases.clustered ? readClusterTls(this.stateDir) : this.serverTls;
  }

  /** Opens the ports the configuration names (gRPC only until enableHttp()). */
  async start(): Promise<void> {
    await this.reconfigure();
  }

  /** From now on HTTP/1.1 connections reach the REST API. */
  enableHttp(): void {
    this.httpEnabled = true;
  }

  /** The addresses listened on. */
  addresses(): string[] {
    return [...this.listeners.keys()];
  }

  /** Opens, closes and re-keys listeners to match the configuration; throws when an address cannot be bound. */
  async reconfigure(): Promise<void> {
    const core = canonicalAddress(this.databases.local.getConfig('core.https_address') ?? '');
    const cluster = canonicalAddress(this.databases.local.getConfig('cluster.https_address') ?? '');
    const wanted = new Set([core, cluster].filter((a) => a !== ''));
    const tlsNow = this.currentTls();
    const grpcAddress = this.databases.clustered ? cluster : '';
    for (const [address, listener] of this.listeners) {
      if (!wanted.has(address) || (address === this.serving.grpcAddress) !== (address === grpcAddress)) {
        await listener.close();
        this.listeners.delete(address);
      } else if (tlsNow !== this.serving.tls) {
        listener.setTls(tlsNow);
      }
    }
    for (const address of wanted) {
      if (this.listeners.has(address)) continue;
      const listener = new ClusterListener({
        address,
        tls: tlsNow,
        grpc: address === grpcAddress ? (socket) => this.databases.cluster.acceptGrpcConnection(socket) : undefined,
        http: (socket) => this.acceptHttp(socket),
        onRefused: (remote) => this.warn(`refused a gRPC connection from ${remote} on ${address}: it did not present the cluster certificate`),
      });
      try {
        await listener.listen();
      } catch (err) {
        throw new Error(`cannot listen on ${address}: ${(err as Error).message}`);
      }
      this.listeners.set(address, listener);
    }
    this.serving = { grpcAddress, tls: tlsNow };
  }

  async close(): Promise<void> {
    for (const l of this.listeners.values()) await l.close();
    this.listeners.clear();
  }

  private acceptHttp(socket: tls.TLSSocket): void {
    if (!this.httpEnabled) {
      socket.destroy(); // the API is not serving yet (the database is not ready)
      return;
    }
    this.httpServer.emit('connection', socket);
  }
}
