/**
 * The control messages on a member's /internal/events stream, besides the events themselves:
 *   subscriber → publisher  {"forward": true|false, "seq": n}   send me your events, or stop
 *   publisher → subscriber  {"forwarding": true|false, "seq": n}   done: from here on I do (or not)
 * A subscriber asks for events only while it has listeners for them, so that members nobody
 * watches do not ship every event to every other member. A stream forwards until told otherwise.
 */
export interface ForwardRequest {
  forward: boolean;
  seq: number;
}

export interface ForwardAck {
  forwarding: boolean;
  seq: number;
}

export function forwardRequest(forward: boolean, seq: number): string {
  return JSON.stringify({ forward, seq } satisfies ForwardRequest);
}

export function forwardAck(forwarding: boolean, seq: number): string {
  return JSON.stringify({ forwarding, seq } satisfies ForwardAck);
}

export function parseForwardRequest(text: string): ForwardRequest | undefined {
  const m = parseObject(text);
  return m && typeof m.forward === 'boolean' && Number.isSafeInteger(m.seq) ? { forward: m.forward, seq: m.seq as number } : undefined;
}

/** An acknowledgement, or undefined for anything else (an event). */
export function asForwardAck(message: unknown): ForwardAck | undefined {
  const m = message as Record<string, unknown> | null;
  return typeof m === 'object' && m !== null && typeof m.forwarding === 'boolean' && Number.isSafeInteger(m.seq)
    ? { forwarding: m.forwarding, seq: m.seq as number }
    : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
