import { NodeId } from './types';

/** A read waiting for a quorum of heartbeat acknowledgements. */
export interface PendingRead {
  context: string;
  /** The commit index when the read arrived: it may be served once this is applied. */
  index: number;
  /** The node that asked (the leader itself or a follower). */
  requester: NodeId;
  acks: Set<NodeId>;
}

/**
 * The leader's ReadIndex bookkeeping: reads are answered in arrival order once
 * a quorum has acknowledged a heartbeat sent after they arrived.
 */
export class ReadIndexQueue {
  private queue: PendingRead[] = [];

  add(read: Omit<PendingRead, 'acks'>, self: NodeId): void {
    this.queue.push({ ...read, acks: new Set([self]) });
  }

  /** The context to carry in the next heartbeat (the newest read). */
  lastContext(): string | undefined {
    return this.queue.length ? this.queue[this.queue.length - 1].context : undefined;
  }

  /**
   * Records `from`'s acknowledgement of `context`; returns the reads that are
   * now confirmed (that read and every earlier one).
   */
  ack(context: string, from: NodeId, isConfirmed: (acks: Set<NodeId>) => boolean): PendingRead[] {
    const at = this.queue.findIndex((r) => r.context === context);
    if (at < 0) return [];
    const read = this.queue[at];
    read.acks.add(from);
    if (!isConfirmed(read.acks)) return [];
    return this.queue.splice(0, at + 1);
  }

  /** Drops every pending read (leadership lost). */
  drain(): PendingRead[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }

  get size(): number {
    return this.queue.length;
  }
}
