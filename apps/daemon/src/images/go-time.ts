/**
 * Times as LXD's JSON shows them (Go's time.Time in RFC 3339): UTC, fractional seconds only when
 * non-zero and without trailing zeros, "0001-01-01T00:00:00Z" for the zero time.
 */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 with up to nanosecond precision, as Go writes it. */
export function goTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return ZERO_TIME;
  const text = typeof value === 'string' ? value : value.toISOString();
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return ZERO_TIME;
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const zone = m[4] === undefined || m[4] === 'Z' || /^[+-]00:?00$/.test(m[4]) ? 'Z' : m[4];
  if (zone !== 'Z') {
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) return ZERO_TIME;
    return goTime(`${date.toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`);
  }
  return `${m[1]}T${m[2]}${fraction ? `.${fraction}` : ''}Z`;
}

/** A Unix time in seconds as RFC 3339 (whole seconds). */
export function unixSecondsTime(seconds: number): string {
  return goTime(new Date(seconds * 1000).toISOString());
}

/**
 * Parses an RFC 3339 time from a request; undefined for the zero time (which LXD treats as "not
 * set"); throws a message for anything else that is not a time.
 */
export function parseRequestTime(value: string, field: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i.exec(value);
  if (!m) throw new Error(`${field} must be an RFC 3339 time, not "${value}"`);
  if (m[1] === '0001' && m[2] === '01' && m[3] === '01' && m[4] === '00' && m[5] === '00' && m[6] === '00') return undefined;
  const date = new Date(value.toUpperCase());
  if (Number.isNaN(date.getTime())) throw new Error(`${field} must be an RFC 3339 time, not "${value}"`);
  const fraction = (m[7] ?? '').slice(1);
  return goTime(`${date.toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`);
}
