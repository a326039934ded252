/**
 * Full-mesh events: this member subscribes to every other member's own events
 * (wss://<member>/internal/events, with the cluster certificate) and hands them to its bus, so
 * that a /1.0/events listener on any member sees what happens on all of them. Subscriptions follow
 * the membership and reconnect after a member restarts.
 *
 * The subscriptions stay connected, but the other members forward their events only while this
 * member has /1.0/events listeners (and for a short while after one asked to connect): the mesh
 * asks them to start and stop with the control messages of forwarding-control.ts. A new listener
 * is connected once every reachable member confirmed that it forwards.
 */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type * as https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import WebSocket from 'ws';
import { certificateFingerprint, peerFingerprint } from '@app/db';
import { Databases } from '../database/databases';
import { readClusterTls } from '../database/cluster-tls-files';
import { StateDir } from '../identity/state-dir';
import { EventBus, type RemoteEventFeed } from './event-bus';
import { asForwardAck, forwardRequest } from './forwarding-control';
import type { LxdEvent } from './lxd-event';

interface PeerSubscription {
  address: string;
  socket?: WebSocket;
  retryAt: number;
  /** The newest request this peer acknowledged on the current socket, and what it said. */
  ackedSeq: number;
  forwarding: boolean;
}

/** How long events keep coming after a listener asked to connect, before it is counted itself. */
const CONNECT_GRACE_MS = 10_000;
/** How long a new listener waits at most for the members to confirm that they forward. */
const FLOW_WAIT_MS = 1000;

@Injectable()
export class EventMesh implements OnApplicationShutdown, RemoteEventFeed {
  private readonly peers = new Map<string, PeerSubscription>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** What the members were last asked to do, and the sequence number of that request. */
  private wanted = false;
  private wantedSeq = 1;
  private graceUntil = 0;
  private readonly ackWaiters = new Set<() => void>();

  constructor(
    private readonly databases: Databases,
    private readonly bus: EventBus,
    private readonly stateDir: StateDir,
  ) {}

  start(): void {
    if (this.timer) return;
    this.bus.setRemoteFeed(this);
    this.timer = setInterval(() => this.sync(), 1000);
    this.timer.unref();
    this.sync();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.bus.setRemoteFeed(undefined);
    if (this.timer) clearInterval(this.timer);
    for (const p of this.peers.values()) p.socket?.terminate();
    this.peers.clear();
    for (const w of [...this.ackWaiters]) w();
  }

  /** The addresses subscribed to right now. */
  connectedPeers(): string[] {
    return [...this.peers.values()].filter((p) => p.socket?.readyState === WebSocket.OPEN).map((p) => p.address);
  }

  /** Whether the members are asked to forward their events now. */
  get forwardingWanted(): boolean {
    return this.wanted;
  }

  demandChanged(): void {
    this.askPeers();
  }

  whenFlowing(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.graceUntil = Date.now() + CONNECT_GRACE_MS;
    this.askPeers();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.stopped || this.everyConnectedPeerForwards()) finish();
      };
      const finish = (): void => {
        this.ackWaiters.delete(check);
        clearTimeout(timeout);
        resolve();
      };
      const timeout = setTimeout(finish, FLOW_WAIT_MS);
      this.ackWaiters.add(check);
      check();
    });
  }

  private wants(): boolean {
    return this.bus.remoteListenerCount > 0 || Date.now() < this.graceUntil;
  }

  /** Tells every connected member to start or stop forwarding, when that changed. */
  private askPeers(): void {
    const want = this.wants();
    if (want === this.wanted) return;
    this.wanted = want;
    this.wantedSeq++;
    for (const p of this.peers.values()) this.sendRequest(p);
  }

  private sendRequest(p: PeerSubscription): void {
    if (p.socket?.readyState === WebSocket.OPEN) p.socket.send(forwardRequest(this.wanted, this.wantedSeq));
  }

  private everyConnectedPeerForwards(): boolean {
    for (const p of this.peers.values()) {
      if (p.socket?.readyState !== WebSocket.OPEN) continue; // nothing to wait for from a member that cannot be reached
      if (p.ackedSeq < this.wantedSeq || !p.forwarding) return false;
    }
    return true;
  }

  private ackChanged(): void {
    for (const w of [...this.ackWaiters]) w();
  }

  private sync(): void {
    if (this.stopped) return;
    this.askPeers();
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
      if (!p) this.peers.set(address, (p = { address, retryAt: 0, ackedSeq: 0, forwarding: true }));
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
    p.ackedSeq = 0;
    p.forwarding = true;
    socket.on('open', () => this.sendRequest(p));
    socket.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return; // not JSON: ignored
      }
      const ack = asForwardAck(message);
      if (ack) {
        if (p.socket === socket && ack.seq >= p.ackedSeq) {
          p.ackedSeq = ack.seq;
          p.forwarding = ack.forwarding;
          this.ackChanged();
        }
        return;
      }
      this.bus.deliverRemote(message as LxdEvent);
    });
    const closed = (): void => {
      if (p.socket === socket) {
        p.socket = undefined;
        p.retryAt = Date.now() + 1000;
        this.ackChanged();
      }
    };
    socket.on('close', closed);
    socket.on('error', () => {
      closed();
      socket.terminate();
    });
  }
}
