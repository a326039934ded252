/**
 * Full-mesh events: this member subscribes to every other member's own events
 * (wss://<member>/internal/events, with the cluster certificate) and hands them to its bus, so
 * that a /1.0/events listener on any member sees what happens on all of them. Subscriptions follow
 * the membership and reconnect after a member restarts.
 */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type * as https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import WebSocket from 'ws';
import { certificateFingerprint, peerFingerprint } from '@app/db';
import { Databases, readClusterTls } from '../database/databases';
import { StateDir } from '../identity/state-dir';
import { EventBus } from './event-bus';
import type { LxdEvent } from './lxd-event';

interface PeerSubscription {
  address: string;
  socket?: WebSocket;
  retryAt: number;
}

@Injectable()
export class EventMesh implements OnApplicationShutdown {
  private readonly peers = new Map<string, PeerSubscription>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly databases: Databases,
    private readonly bus: EventBus,
    private readonly stateDir: StateDir,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sync(), 1000);
    this.timer.unref();
    this.sync();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const p of this.peers.values()) p.socket?.terminate();
    this.peers.clear();
  }

  /** The addresses subscribed to right now. */
  connectedPeers(): string[] {
    return [...this.peers.values()].filter((p) => p.socket?.readyState === WebSocket.OPEN).map((p) => p.address);
  }

  private sync(): void {
    if (this.stopped) return;
    const state = this.databases.clusterState();
    const wanted = new Set(state ? state.nodes.filter((n) => n.id !== state.self.id).map((n) => n.address) : []);
    for (const [address, p] of this.peers) {
      if (!wanted.has(address)) {
        p.socket?.terminate();
        this.peers.delete(address);
      }
    }
    const now = Date.now();
    for (const address of wanted) {
      let p = this.peers.get(address);
      if (!p) this.peers.set(address, (p = { address, retryAt: 0 }));
      if (!p.socket && now >= p.retryAt) this.connect(p);
    }
  }

  private connect(p: PeerSubscription): void {
    let tls;
    try {
      tls = readClusterTls(this.stateDir.path);
    } catch {
      return; // not clustered (any more)
    }
    const expected = certificateFingerprint(tls.certPem);
    const options: https.RequestOptions & { handshakeTimeout: number } = {
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.certPem,
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        peerFingerprint(cert) === expected ? undefined : new Error(`the member at ${p.address} did not present the cluster certificate`),
      handshakeTimeout: 3000,
    };
    const socket = new WebSocket(`wss://${p.address}/internal/events`, options as WebSocket.ClientOptions);
    p.socket = socket;
    socket.on('message', (data) => {
      try {
        this.bus.deliverRemote(JSON.parse(data.toString()) as LxdEvent);
      } catch {
        // not an event: ignored
      }
    });
    const closed = (): void => {
      if (p.socket === socket) {
        p.socket = undefined;
        p.retryAt = Date.now() + 1000;
      }
    };
    socket.on('close', closed);
    socket.on('error', () => {
      closed();
      socket.terminate();
    });
  }
}
