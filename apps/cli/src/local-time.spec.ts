import { parseRfc3339 } from './go-time';
import { formatLocalShortDate } from './local-time';

const at = (text: string) => parseRfc3339(text)!;

describe('formatLocalShortDate', () => {
  it('writes the time in the zone of $TZ with its abbreviation, as Go does', () => {
    expect(formatLocalShortDate(at('2024-03-01T10:20:30Z'), { TZ: 'UTC' })).toBe('2024/03/01 10:20 UTC');
    expect(formatLocalShortDate(at('2024-03-01T10:20:30Z'), { TZ: '' })).toBe('2024/03/01 10:20 UTC');
    expect(formatLocalShortDate(at('2024-01-15T10:00:00Z'), { TZ: 'America/New_York' })).toBe('2024/01/15 05:00 EST');
    expect(formatLocalShortDate(at('2024-07-15T10:00:00Z'), { TZ: 'Europe/Paris' })).toBe('2024/07/15 12:00 CEST');
    expect(formatLocalShortDate(at('2024-07-15T10:00:00Z'), { TZ: ':Europe/London' })).toBe('2024/07/15 11:00 BST');
    expect(formatLocalShortDate(at('2024-01-15T10:00:00Z'), { TZ: 'Asia/Kolkata' })).toBe('2024/01/15 15:30 IST');
  });

  it('writes the offset for a zone without a letters abbreviation', () => {
    expect(formatLocalShortDate(at('2024-01-15T10:00:00Z'), { TZ: 'America/Sao_Paulo' })).toBe('2024/01/15 07:00 -03');
    expect(formatLocalShortDate(at('2024-01-15T10:00:00Z'), { TZ: 'Asia/Kathmandu' })).toBe('2024/01/15 15:45 +0545');
  });
});
