/**
 * The member's event bus: lifecycle, operation and logging events, published here by the API and
 * the operations, and by the peer subscriptions for events that happened on other members. Every
 * /1.0/events listener subscribes with the types it wants.
 */
import { Injectable } from '@nestjs/common';
import { type EventType, type LxdEvent, lxdTimestamp } from './lxd-event';

export type EventListener = (event: LxdEvent) => void;

interface Subscription {
  types: ReadonlySet<EventType>;
  /** Only events that happened on this member (what peers subscribe to). */
  localOnly: boolean;
  listener: EventListener;
}

@Injectable()
export class EventBus {
  private readonly subscriptions = new Set<Subscription>();
  private location = '';

  /** The member name stamped on local events. */
  setLocation(name: string): void {
    this.location = name;
  }

  get memberName(): string {
    return this.location;
  }

  /** Publishes an event that happened on this member. */
  publish(type: EventType, metadata: unknown, project = 'default'): LxdEvent {
    const event: LxdEvent = { type, timestamp: lxdTimestamp(), metadata, location: this.location, project };
    this.deliver(event, true);
    return event;
  }

  /** Delivers an event received from another member (never passed on to peers again). */
  deliverRemote(event: LxdEvent): void {
    this.deliver(event, false);
  }

  subscribe(types: Iterable<EventType>, listener: EventListener, opts: { localOnly?: boolean } = {}): () => void {
    const sub: Subscription = { types: new Set(types), localOnly: opts.localOnly ?? false, listener };
    this.subscriptions.add(sub);
    return () => this.subscriptions.delete(sub);
  }

  get listenerCount(): number {
    return this.subscriptions.size;
  }

  private deliver(event: LxdEvent, local: boolean): void {
    for (const sub of [...this.subscriptions]) {
      if (!sub.types.has(event.type) || (sub.localOnly && !local)) continue;
      try {
        sub.listener(event);
      } catch {
        // A broken listener (a closed socket) must not stop the others.
      }
    }
  }
}
