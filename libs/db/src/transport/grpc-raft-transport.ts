/**
 * RaftTransport over gRPC with mutual TLS (the cluster certificate). Each member keeps one channel
 * per peer and one long-lived client stream per peer on it, and writes one RaftBatch frame per
 * peer per Ready. Frames from peers arrive through the Raft method of the cluster service
 * (ClusterServiceHandlers) and are handed to the driver.
 *
 * A peer that cannot be reached costs nothing but dropped messages: a broken stream is re-opened
 * on the next send after a short pause, and Raft retransmits. Channels to every known peer are
 * kept connected, so that reachability (for the errors that name unreachable members) is known for
 * followers too, which otherwise hear only from the leader.
 *
 * A member that is stopping says so in a frame of its own and in every frame after it: the others
 * stop counting it as reachable (a leader that hands its leadership over picks somebody else).
 * Every stream starts with a frame of its own too, so a member that comes back is heard from at
 * once, whether or not Raft has anything to send; and a peer that nothing was sent to for a while
 * gets an empty frame every second, so that every member hears from every live member (a process
 * that hangs keeps its connections open: only its silence tells).
 */
import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '@app/raft';
import { type Clock, type ClockTimer, SYSTEM_CLOCK } from '../replication/clock';
import type { PeerDirectory } from '../replication/peer-directory';
import type { RaftTransport } from '../replication/raft-transport';
import { clusterChannelCredentials } from './cluster-credentials';
import { type ClusterClient, newClusterClient } from './cluster-service';
import type { ClusterTls } from './cluster-tls';
import { decodeRaftBatch, encodeRaftBatch } from './cluster-wire';
import { decodeRaftMessage, encodeRaftMessage } from './raft-message-codec';

export interface GrpcRaftTransportOptions {
  id: NodeId;
  peers: PeerDirectory;
  tls: ClusterTls;
  clock?: Clock;
  /** A peer heard from within this many ms counts as reachable (default 2000). */
  heardWithinMs?: number;
  /** Pause before re-opening a broken stream (default 20 ms). */
  retryMs?: number;
  /** Told of frames that could not be decoded. */
  onBadFrame?: (from: string, err: Error) => void;
}

interface PeerLink {
  id: NodeId;
  address: string;
  client: ClusterClient;
  stream?: grpc.ClientWritableStream<Uint8Array>;
  retryAt: number;
  /** When a frame was last written to the peer. */
  sentAt: number;
}

/** A peer that was sent nothing for this long gets an empty frame (at the next second's round). */
const PRESENCE_AFTER_MS = 500;

export class GrpcRaftTransport implements RaftTransport {
  readonly id: NodeId;
  private readonly peers: PeerDirectory;
  private readonly credentials: grpc.ChannelCredentials;
  private readonly clock: Clock;
  private readonly heardWithinMs: number;
  private readonly retryMs: number;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly lastHeard = new Map<NodeId, number>();
  private receiver?: (m: Message) => void;
  private readonly keepConnected: ClockTimer;
  private leaving = false;
  private readonly leavingPeers = new Set<NodeId>();
  private readonly offPeers: () => void;
  private closed = false;

  constructor(private readonly opts: GrpcRaftTransportOptions) {
    this.id = opts.id;
    this.peers = opts.peers;
    this.credentials = clusterChannelCredentials(opts.tls);
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.heardWithinMs = opts.heardWithinMs ?? 2000;
    this.retryMs = opts.retryMs ?? 20;
    this.offPeers = this.peers.onChange(() => this.syncLinks());
    this.keepConnected = this.clock.setInterval(() => this.connectAll(), 1000);
    this.syncLinks();
  }

  setReceiver(receive: (m: Message) => void): void {
    this.receiver = receive;
  }

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    const byPeer = new Map<NodeId, Uint8Array[]>();
    for (const m of messages) {
      let list = byPeer.get(m.to);
      if (!list) byPeer.set(m.to, (list = []));
      list.push(encodeRaftMessage(m));
    }
    for (const [to, encoded] of byPeer) {
      const link = this.link(to);
      if (!link) continue; // no address known yet: dropped
      this.write(link, encodeRaftBatch(this.id, encoded, this.leaving));
    }
  }

  announceLeaving(): void {
    if (this.closed || this.leaving) return;
    this.leaving = true;
    for (const peer of this.peers.all()) {
      const link = this.link(peer.id);
      if (link) this.write(link, encodeRaftBatch(this.id, [], true));
    }
  }

  isLeaving(id: NodeId): boolean {
    return this.leavingPeers.has(id);
  }

  /** A frame received by the cluster service's Raft method. */
  deliver(frame: Uint8Array, peerLabel: string): void {
    if (this.closed) return;
    let batch: { from: number; messages: Uint8Array[]; leaving: boolean };
    let messages: Message[];
    try {
      batch = decodeRaftBatch(frame);
      messages = batch.messages.map((b) => decodeRaftMessage(b));
    } catch (err) {
      this.opts.onBadFrame?.(peerLabel, err as Error);
      return;
    }
    this.lastHeard.set(batch.from, this.clock.now());
    if (batch.leaving) this.leavingPeers.add(batch.from);
    else this.leavingPeers.delete(batch.from);
    this.redialIfFailing(batch.from);
    const receive = this.receiver;
    if (!receive) return;
    for (const m of messages) if (m.to === this.id) receive(m);
  }

  isReachable(id: NodeId): boolean {
    return this.heardFromRecently(id) || (!this.leavingPeers.has(id) && this.connected(id));
  }

  heardFromRecently(id: NodeId): boolean {
    if (id === this.id) return true;
    if (this.leavingPeers.has(id)) return false;
    const heard = this.lastHeard.get(id);
    return heard !== undefined && this.clock.now() - heard <= this.heardWithinMs;
  }

  /** The gRPC client for a peer (shared with forwarding), or undefined when its address is unknown. */
  client(id: NodeId): ClusterClient | undefined {
    return this.link(id)?.client;
  }

  /** Whether the channel to a peer is connected right now. */
  connected(id: NodeId): boolean {
    const link = this.links.get(id);
    return link !== undefined && link.client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keepConnected.cancel();
    this.offPeers();
    for (const link of this.links.values()) this.dropLink(link);
    this.links.clear();
  }

  private link(id: NodeId): PeerLink | undefined {
    if (id === this.id || this.closed) return undefined;
    let link = this.links.get(id);
    if (link) return link;
    const peer = this.peers.get(id);
    if (!peer || !peer.address) return undefined;
    link = { id, address: peer.address, client: newClusterClient(peer.address, this.credentials), retryAt: 0, sentAt: -Infinity };
    this.links.set(id, link);
    return link;
  }

  private write(link: PeerLink, frame: Uint8Array): void {
    const stream = this.streamOf(link);
    if (!stream) return;
    stream.write(frame);
    link.sentAt = this.clock.now();
  }

  private streamOf(link: PeerLink): grpc.ClientWritableStream<Uint8Array> | undefined {
    if (link.stream) return link.stream;
    if (this.clock.now() < link.retryAt) return undefined;
    const stream = link.client.raft(() => {
      // The stream ended (the peer closed it, or it broke): open a new one on a later send.
      if (link.stream === stream) {
        link.stream = undefined;
        link.retryAt = this.clock.now() + this.retryMs;
      }
    });
    link.stream = stream;
    return stream;
  }

  /** Follows the directory: links to removed or moved peers are closed. */
  private syncLinks(): void {
    for (const [id, link] of this.links) {
      const peer = this.peers.get(id);
      if (!peer || peer.address !== link.address) {
        this.dropLink(link);
        this.links.delete(id);
      }
    }
    this.connectAll();
  }

  /**
   * Connects every peer's channel, and sends a frame of no messages to each peer that has no stream
   * or was sent nothing lately: the peer hears from this process even when Raft has nothing to
   * tell it (a spare, a follower's fellow followers, a member that restarted and waits for the
   * leader), which also tells it that this member is not leaving (any more: a member that stopped
   * and started again said it was leaving).
   */
  private connectAll(): void {
    if (this.closed) return;
    for (const peer of this.peers.all()) {
      const link = this.link(peer.id);
      if (!link) continue;
      link.client.getChannel().getConnectivityState(true); // connects an idle channel
      if (!link.stream || this.clock.now() - link.sentAt >= PRESENCE_AFTER_MS) this.write(link, encodeRaftBatch(this.id, [], this.leaving));
    }
  }

  /**
   * A peer that speaks while this member's channel to it waits out a reconnect back-off (up to a
   * second after it was down) has come back: dial it now, so that it hears from this member (its
   * leader, say) at once rather than after the back-off.
   */
  private redialIfFailing(id: NodeId): void {
    const link = this.links.get(id);
    if (!link || link.client.getChannel().getConnectivityState(false) !== grpc.connectivityState.TRANSIENT_FAILURE) return;
    this.dropLink(link);
    this.links.delete(id);
    this.link(id)?.client.getChannel().getConnectivityState(true);
  }

  private dropLink(link: PeerLink): void {
    const stream = link.stream;
    link.stream = undefined;
    stream?.cancel();
    link.client.close();
  }
}
