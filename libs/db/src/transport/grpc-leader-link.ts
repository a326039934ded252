/**
 * LeaderLink over the cluster service's Forward method: one bidirectional stream per target member,
 * requests and answers matched by id. A request written while the channel was connected and then
 * cut off is "lost" (it may have been served); one that never had a connection is "unavailable"
 * (it was not delivered and may be retried).
 */
import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '@app/raft';
import type { RawRows } from '../global/global-state-machine';
import type { SqlParam } from '../global/replicated-tx';
import { type Clock, type ClockTimer, SYSTEM_CLOCK } from '../replication/clock';
import { DbTimeoutError } from '../replication/db-errors';
import { type ExecResult, ForwardLostError, ForwardUnavailableError, type LeaderLink, type ReadConsistency } from '../replication/leader-link';
import type { PeerDirectory } from '../replication/peer-directory';
import { decodeForwardResponse, encodeForwardRequest, type WireForwardRequest, type WireForwardResponse } from './cluster-wire';
import { decodeError, decodeExecResult, decodeRows, encodeParams } from './forward-codec';
import type { GrpcRaftTransport } from './grpc-raft-transport';

interface Pending {
  resolve: (r: WireForwardResponse) => void;
  reject: (e: Error) => void;
  timer: ClockTimer;
  /** The channel was connected when the request was written. */
  delivered: boolean;
}

interface ForwardStream {
  call: grpc.ClientDuplexStream<Uint8Array, Uint8Array>;
  pending: Map<number, Pending>;
}

/** Extra time a forwarded request gets beyond the deadline the serving member enforces. */
const ANSWER_GRACE_MS = 500;

export class GrpcLeaderLink implements LeaderLink {
  private readonly streams = new Map<NodeId, ForwardStream>();
  private nextId = 1;
  private readonly clock: Clock;
  private closed = false;

  constructor(
    private readonly transport: GrpcRaftTransport,
    private readonly peers: PeerDirectory,
    clock?: Clock,
  ) {
    this.clock = clock ?? SYSTEM_CLOCK;
  }

  async exec(target: NodeId, wireTx: Uint8Array, timeoutMs: number): Promise<ExecResult> {
    const res = await this.request(target, { id: 0, timeoutMs: Math.max(1, Math.round(timeoutMs)), exec: wireTx }, timeoutMs, true);
    if (!res.exec) throw new Error(`${this.label(target)} answered a write without a result`);
    return decodeExecResult(res.exec);
  }

  async query(target: NodeId, sql: string, params: readonly SqlParam[], consistency: ReadConsistency, timeoutMs: number): Promise<RawRows> {
    const res = await this.request(
      target,
      { id: 0, timeoutMs: Math.max(1, Math.round(timeoutMs)), query: { sql, params: encodeParams(params), linearizable: consistency === 'linearizable' } },
      timeoutMs,
      false,
    );
    return decodeRows(res.rows);
  }

  close(): void {
    this.closed = true;
    for (const [id, s] of this.streams) this.fail(id, s, new ForwardUnavailableError(id, 'the cluster database is shutting down'));
  }

  private request(target: NodeId, req: WireForwardRequest, timeoutMs: number, write: boolean): Promise<WireForwardResponse> {
    if (this.closed) return Promise.reject(new ForwardUnavailableError(target, 'the cluster database is shutting down'));
    const s = this.stream(target);
    if (!s) return Promise.reject(new ForwardUnavailableError(target, `no address is known for ${this.label(target)}`));
    const id = this.nextId++;
    return new Promise<WireForwardResponse>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (!s.pending.delete(id)) return;
        reject(new DbTimeoutError(`${this.label(target)} did not answer within ${timeoutMs} ms${write ? '; the write may or may not have been applied' : ''}`, write));
      }, timeoutMs + ANSWER_GRACE_MS);
      s.pending.set(id, { resolve, reject, timer, delivered: this.transport.connected(target) });
      s.call.write(encodeForwardRequest({ ...req, id }));
    }).then((res) => {
      if (res.error) throw decodeError(res.error, this.label(target));
      return res;
    });
  }

  private stream(target: NodeId): ForwardStream | undefined {
    const existing = this.streams.get(target);
    if (existing) return existing;
    const client = this.transport.client(target);
    if (!client) return undefined;
    const call = client.forward();
    const s: ForwardStream = { call, pending: new Map() };
    this.streams.set(target, s);
    call.on('data', (buf: Uint8Array) => {
      let res: WireForwardResponse;
      try {
        res = decodeForwardResponse(buf);
      } catch {
        return; // a damaged answer: its request times out
      }
      const p = s.pending.get(res.id ?? 0);
      if (!p) return;
      s.pending.delete(res.id);
      p.timer.cancel();
      p.resolve(res);
    });
    const broken = (err?: Error): void => {
      if (this.streams.get(target) === s) this.streams.delete(target);
      this.fail(target, s, err);
    };
    call.on('error', (err: Error) => broken(err));
    call.on('end', () => broken());
    return s;
  }

  private fail(target: NodeId, s: ForwardStream, err?: Error): void {
    for (const [id, p] of s.pending) {
      s.pending.delete(id);
      p.timer.cancel();
      const why = err?.message ?? 'the stream ended';
      p.reject(
        p.delivered
          ? new ForwardLostError(target, `the connection to ${this.label(target)} broke before it answered: ${why}`)
          : new ForwardUnavailableError(target, `${this.label(target)} cannot be reached: ${why}`),
      );
    }
    s.call.cancel();
  }

  private label(id: NodeId): string {
    const p = this.peers.ref(id);
    return p.name ? `member ${p.name} (${p.address})` : `member at ${p.address || `id ${id}`}`;
  }
}
