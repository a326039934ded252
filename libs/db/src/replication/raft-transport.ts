import type { Message, NodeId } from '@app/raft';

/**
 * How a member's Raft node talks to the others. Delivery is best effort: a message to a member
 * that cannot be reached is dropped (Raft retransmits what matters).
 */
export interface RaftTransport {
  send(messages: readonly Message[]): void;
  /** Where received messages for this member go. */
  setReceiver(receive: (m: Message) => void): void;
  /** Whether `id` was reachable recently (a live connection or a message from it), and is not stopping. */
  isReachable(id: NodeId): boolean;
  /** Whether a message from `id` came recently (not counting a connection that merely stays open), and it is not stopping. */
  heardFromRecently(id: NodeId): boolean;
  /** Tells the other members that this one is stopping (now, and with everything it sends from now on). */
  announceLeaving(): void;
  /** Whether `id` said it is stopping (until it is heard from again without saying so). */
  isLeaving(id: NodeId): boolean;
  close(): Promise<void>;
}

/** The transport of a member alone in its cluster: there is nobody to send to. */
export class SoloTransport implements RaftTransport {
  send(messages: readonly Message[]): void {
    if (messages.length > 0) throw new Error(`raft transport: a solo member has no peer to send to (message for ${messages[0].to})`);
  }

  setReceiver(): void {
    // Nothing is ever received.
  }

  isReachable(): boolean {
    return false;
  }

  heardFromRecently(): boolean {
    return false;
  }

  announceLeaving(): void {
    // Nobody to tell.
  }

  isLeaving(): boolean {
    return false;
  }

  async close(): Promise<void> {
    // Nothing to close.
  }
}
