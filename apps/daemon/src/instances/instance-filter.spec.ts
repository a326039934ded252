import { matchesFilter, parseFilter } from './instance-filter';

const c1 = { name: 'c1', status: 'Running', location: 'm2', config: { 'image.os': 'busybox', 'user.role': 'web' }, expanded_config: { 'limits.cpu': '1' } };
const c2 = { name: 'c2', status: 'Stopped', location: 'm1', config: { 'image.os': 'busybox' }, expanded_config: {} };

describe('instance filters', () => {
  it('keeps everything without a filter', () => {
    expect(parseFilter(undefined)).toBeNull();
    expect(parseFilter('  ')).toBeNull();
    expect(matchesFilter(c1, null)).toBe(true);
  });

  it('compares fields, dotted paths into maps and keys with dots', () => {
    expect(matchesFilter(c1, parseFilter('name eq c1'))).toBe(true);
    expect(matchesFilter(c2, parseFilter('name eq c1'))).toBe(false);
    expect(matchesFilter(c1, parseFilter('config.image.os eq busybox'))).toBe(true);
    expect(matchesFilter(c1, parseFilter('config.user.role eq "web"'))).toBe(true);
    expect(matchesFilter(c2, parseFilter('config.user.role eq web'))).toBe(false);
    expect(matchesFilter(c1, parseFilter('status eq running'))).toBe(true);
  });

  it('combines clauses with and, or and not, and binding tighter than or', () => {
    const f = parseFilter('status eq Stopped or location eq m2 and name eq c1');
    expect(matchesFilter(c1, f)).toBe(true);
    expect(matchesFilter(c2, f)).toBe(true);
    expect(matchesFilter({ ...c1, name: 'c3' }, f)).toBe(false);
    expect(matchesFilter(c1, parseFilter('not name eq c1'))).toBe(false);
    expect(matchesFilter(c1, parseFilter('name ne c2 and location ne m1'))).toBe(true);
  });

  it('refuses malformed filters with a clear message', () => {
    expect(() => parseFilter('name c1')).toThrow(/expected <field> eq\|ne <value>/);
    expect(() => parseFilter('name gt c1')).toThrow(/unknown operator "gt"/);
    expect(() => parseFilter('name eq c1 also x eq y')).toThrow(/expected "and" or "or"/);
    expect(() => parseFilter('name eq "c1')).toThrow(/unterminated quote/);
  });
});
