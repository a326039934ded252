/**
 * Timestamps as LXD's Go client reads and writes them: RFC 3339 with nanoseconds (time.RFC3339Nano) and the
 * fixed layouts lxc prints in tables.
 */

/** An instant with the UTC offset it was written with, to nanosecond precision. */
export interface ZonedTime {
  /** Milliseconds since the epoch, without the sub-millisecond part. */
  epochMs: number;
  /** Nanoseconds within the second (0 to 999999999). */
  nanos: number;
  /** Offset from UTC in minutes (east positive). */
  offsetMinutes: number;
}

/** Go's zero time.Time (`0001-01-01T00:00:00Z`): what a missing timestamp decodes to. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses an RFC 3339 timestamp (any number of fractional digits; beyond nanoseconds they are dropped). */
export function parseRfc3339(text: string): ZonedTime | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', z, sign, oh, om] = m;
  const offsetMinutes = z ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const local = date.getTime();
  if (Number.isNaN(local)) return undefined;
  const nanos = Number(fraction.slice(0, 9).padEnd(9, '0'));
  return { epochMs: local - offsetMinutes * 60_000, nanos, offsetMinutes };
}

/** A Date (millisecond precision) as a ZonedTime in UTC. */
export function fromDate(date: Date, offsetMinutes = 0): ZonedTime {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000) * 1000;
  return { epochMs: seconds, nanos: (ms - seconds) * 1_000_000, offsetMinutes };
}

/** time.RFC3339Nano: trailing zeros of the fraction dropped (and the dot with them), `Z` for UTC. */
export function formatRfc3339Nano(t: ZonedTime): string {
  const f = fields(t);
  const fraction = t.nanos === 0 ? '' : '.' + String(t.nanos).padStart(9, '0').replace(/0+$/, '');
  return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}:${f.second}${fraction}${offsetText(t.offsetMinutes, ':')}`;
}

/** An RFC 3339 timestamp re-written the way Go writes it back (a value that does not parse is kept as it is). */
export function normalizeRfc3339(text: string): string {
  const t = parseRfc3339(text);
  return t ? formatRfc3339Nano(t) : text;
}

/** The layout `2006/01/02 15:04 MST` in the timestamp's own offset (the zone is `UTC` or `+0200`-style). */
export function formatShortDate(t: ZonedTime): string {
  const f = fields(t);
  return `${f.year}/${f.month}/${f.day} ${f.hour}:${f.minute} ${zoneName(t.offsetMinutes)}`;
}

/** The layout `Jan 2, 2006 at 3:04pm (MST)` in the timestamp's own offset. */
export function formatLongDate(t: ZonedTime): string {
  const f = fields(t);
  const hour24 = Number(f.hour);
  const hour12 = hour24 % 12 === 0 ? 12 : hour24 % 12;
  const half = hour24 < 12 ? 'am' : 'pm';
  return `${MONTHS[Number(f.month) - 1]} ${Number(f.day)}, ${f.year} at ${hour12}:${f.minute}${half} (${zoneName(t.offsetMinutes)})`;
}

/** The same instant in UTC. */
export function inUtc(t: ZonedTime): ZonedTime {
  return { ...t, offsetMinutes: 0 };
}

/** Whether the instant is after the Unix epoch (lxc leaves expiry dates at or before it blank). */
export function afterEpoch(t: ZonedTime): boolean {
  return t.epochMs > 0 || (t.epochMs === 0 && t.nanos > 0);
}

function fields(t: ZonedTime) {
  const d = new Date(t.epochMs + t.offsetMinutes * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    year: String(d.getUTCFullYear()).padStart(4, '0'),
    month: two(d.getUTCMonth() + 1),
    day: two(d.getUTCDate()),
    hour: two(d.getUTCHours()),
    minute: two(d.getUTCMinutes()),
    second: two(d.getUTCSeconds()),
  };
}

function offsetText(offsetMinutes: number, separator: string): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${separator}${String(abs % 60).padStart(2, '0')}`;
}

function zoneName(offsetMinutes: number): string {
  return offsetMinutes === 0 ? 'UTC' : offsetText(offsetMinutes, '');
}
