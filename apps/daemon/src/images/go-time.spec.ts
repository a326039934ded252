import { goTime, parseRequestTime, unixSecondsTime, ZERO_TIME } from './go-time';

describe('times as Go writes them', () => {
  it('drops a zero fraction and trailing zeros, keeps up to nanoseconds', () => {
    expect(goTime('2024-05-02T11:00:00.000Z')).toBe('2024-05-02T11:00:00Z');
    expect(goTime('2024-05-02T11:00:00.120Z')).toBe('2024-05-02T11:00:00.12Z');
    expect(goTime('2026-11-23T11:59:00.67010729Z')).toBe('2026-11-23T11:59:00.67010729Z');
    expect(goTime('2024-05-02T13:00:00+02:00')).toBe('2024-05-02T11:00:00Z');
  });

  it('writes the zero time for nothing', () => {
    expect(goTime(null)).toBe(ZERO_TIME);
    expect(goTime('garbage')).toBe(ZERO_TIME);
    expect(unixSecondsTime(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('parses request times, the zero time meaning "not set"', () => {
    expect(parseRequestTime('2030-01-02T03:04:05Z', 'expires_at')).toBe('2030-01-02T03:04:05Z');
    expect(parseRequestTime('2030-01-02T05:04:05.5+02:00', 'expires_at')).toBe('2030-01-02T03:04:05.5Z');
    expect(parseRequestTime('0001-01-01T00:00:00Z', 'expires_at')).toBeUndefined();
    expect(() => parseRequestTime('tomorrow', 'expires_at')).toThrow('expires_at must be an RFC 3339 time, not "tomorrow"');
  });
});
