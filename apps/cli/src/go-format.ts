import { parseRfc3339 } from './go-time';

/**
 * Values printed the way Go's fmt prints them with %v and %q, for the text that lxc builds with fmt (monitor's
 * pretty output).
 */

/** %v of a value decoded from JSON: maps as `map[k:v …]` with sorted keys, slices as `[a b]`, nil as `<nil>`. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${k}:${goValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof value === 'number') return goFloat(value);
  return String(value);
}

/**
 * %v of a float64 (strconv's shortest %g): the shortest digits, in exponent form (`1e+06`, `1.5e-05`) when the
 * decimal exponent is below -4 or at least 6.
 */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, exponentText] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(n);
}

/** %v of a time.Time parsed from RFC 3339: `2006-01-02 15:04:05.999999999 -0700 MST` (`+0000 UTC` for UTC). */
export function goTimeValue(text: string | undefined): string {
  const t = parseRfc3339(text ?? '') ?? parseRfc3339('0001-01-01T00:00:00Z')!;
  const d = new Date(t.epochMs + t.offsetMinutes * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const fraction = t.nanos === 0 ? '' : '.' + String(t.nanos).padStart(9, '0').replace(/0+$/, '');
  const sign = t.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(t.offsetMinutes);
  const offset = `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
  const zone = t.offsetMinutes === 0 ? 'UTC' : offset;
  const date = `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  return `${date} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}${fraction} ${offset} ${zone}`;
}

/** %q of a string (strconv.Quote) for the characters that occur in log messages. */
export function goQuote(text: string): string {
  const escapes: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\u0007': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\v': '\\v',
  };
  let out = '"';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (escapes[c]) out += escapes[c];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029 || code === 0xfeff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out + '"';
}
