/** An event as LXD's /1.0/events sends it. */
export type EventType = 'lifecycle' | 'operation' | 'logging';

export const EVENT_TYPES: readonly EventType[] = ['lifecycle', 'operation', 'logging'];

export interface LxdEvent {
  type: EventType;
  /** RFC 3339 with nanoseconds, UTC. */
  timestamp: string;
  metadata: unknown;
  /** The member the event happened on. */
  location: string;
  project: string;
}

/** Now as LXD writes timestamps: RFC 3339, UTC, nine fractional digits. */
export function lxdTimestamp(date = new Date(), nanos = process.hrtime.bigint()): string {
  const iso = date.toISOString(); // ...T12:34:56.789Z
  const sub = (nanos % 1_000_000n).toString().padStart(6, '0');
  return `${iso.slice(0, 23)}${sub}Z`;
}
