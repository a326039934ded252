import {
  afterEpoch,
  formatLongDate,
  formatRfc3339Nano,
  formatShortDate,
  fromDate,
  inUtc,
  normalizeRfc3339,
  parseRfc3339,
} from './go-time';

describe('Go timestamps', () => {
  it('writes RFC3339Nano as Go does: trailing zeros of the fraction dropped, Z for UTC', () => {
    expect(normalizeRfc3339('2026-11-23T14:58:56.078571972Z')).toBe('2026-11-23T14:58:56.078571972Z');
    expect(normalizeRfc3339('2026-11-23T14:58:56.500000Z')).toBe('2026-11-23T14:58:56.5Z');
    expect(normalizeRfc3339('2026-11-23T14:58:56.000Z')).toBe('2026-11-23T14:58:56Z');
    expect(normalizeRfc3339('2026-11-23T14:58:56+00:00')).toBe('2026-11-23T14:58:56Z');
    expect(normalizeRfc3339('2026-11-23T14:58:56.1234567891-04:00')).toBe('2026-11-23T14:58:56.123456789-04:00');
    expect(normalizeRfc3339('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00Z');
    expect(normalizeRfc3339('yesterday')).toBe('yesterday');
  });

  it('formats the layouts lxc prints', () => {
    const t = parseRfc3339('2026-11-23T14:58:56.078Z')!;
    expect(formatShortDate(t)).toBe('2026/11/23 14:58 UTC');
    expect(formatShortDate(parseRfc3339('2026-11-23T14:58:56+02:00')!)).toBe('2026/11/23 14:58 +0200');
    expect(formatShortDate(inUtc(parseRfc3339('2026-11-23T01:30:00+02:00')!))).toBe('2026/11/22 23:30 UTC');
    expect(formatLongDate(fromDate(new Date('2036-11-20T00:05:00Z')))).toBe('Nov 20, 2036 at 12:05am (UTC)');
    expect(formatLongDate(fromDate(new Date('2026-01-02T13:07:00Z')))).toBe('Jan 2, 2026 at 1:07pm (UTC)');
    expect(formatRfc3339Nano(fromDate(new Date('2026-01-02T13:07:00.250Z')))).toBe('2026-01-02T13:07:00.25Z');
  });

  it('knows the zero time is not after the epoch', () => {
    expect(afterEpoch(parseRfc3339('0001-01-01T00:00:00Z')!)).toBe(false);
    expect(afterEpoch(parseRfc3339('1970-01-01T00:00:00Z')!)).toBe(false);
    expect(afterEpoch(parseRfc3339('2026-01-01T00:00:00Z')!)).toBe(true);
  });
});
