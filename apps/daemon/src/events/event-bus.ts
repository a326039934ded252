/**
 * The member's event bus: lifecycle, operation and logging events, published here by the API and
 * the operations, and by the peer subscriptions for events that happened on other members. Every
 * /1.0/events listener subscribes with the types it wants.
 *
 * Other members' events are only worth receiving while somebody here listens to them: the bus
 * counts those listeners and tells the feed that brings remote events (the EventMesh) whenever the
 * count changes.
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

/** What brings other members' events to this bus. */
export interface RemoteEventFeed {
  /** Resolves once every reachable member sends its events here (or gives up after a short wait). */
  whenFlowing(): Promise<void>;
  /** The number of listeners that want other members' events changed. */
  demandChanged(): void;
}

@Injectable()
export class EventBus {
  private readonly subscriptions = new Set<Subscription>();
  private here = '';
  private remoteListeners = 0;
  private feed?: RemoteEventFeed;

  /** The location stamped on local events and operations: the member's name, "none" when standalone. */
  setLocation(location: string): void {
    this.here = location;
  }

  get location(): string {
    return this.here;
  }

  /** Publishes an event that happened on this member. */
  publish(type: EventType, metadata: unknown, project = 'default'): LxdEvent {
    const event: LxdEvent = { type, timestamp: lxdTimestamp(), metadata, location: this.here, project };
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
    if (!sub.localOnly) this.remoteListenersChanged(+1);
    return () => {
      if (this.subscriptions.delete(sub) && !sub.localOnly) this.remoteListenersChanged(-1);
    };
  }

  get listenerCount(): number {
    return this.subscriptions.size;
  }

  /** Listeners that also want other members' events. */
  get remoteListenerCount(): number {
    return this.remoteListeners;
  }

  /** Connects the feed of other members' events (one per bus). */
  setRemoteFeed(feed: RemoteEventFeed | undefined): void {
    this.feed = feed;
  }

  /**
   * Resolves once other members' events flow to this bus, so that a listener subscribing next
   * misses none of the events that happen after this resolves. Immediate without a feed.
   */
  remoteEventsFlowing(): Promise<void> {
    return this.feed?.whenFlowing() ?? Promise.resolve();
  }

  private remoteListenersChanged(by: number): void {
    this.remoteListeners += by;
    this.feed?.demandChanged();
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
