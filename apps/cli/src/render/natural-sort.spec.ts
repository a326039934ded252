import { compareNatural, sortRowsNaturally } from './natural-sort';

const sorted = (names: string[]) => [...names].sort(compareNatural);

describe('compareNatural', () => {
  it('compares runs of digits by value', () => {
    expect(sorted(['c10', 'c2', 'c1', 'c20', 'c3'])).toEqual(['c1', 'c2', 'c3', 'c10', 'c20']);
    expect(sorted(['n1-10', 'n1-9', 'n01-1'])).toEqual(['n1-9', 'n1-10', 'n01-1']);
  });

  it('puts fewer leading zeros first among equal values', () => {
    expect(sorted(['a001', 'a1', 'a01'])).toEqual(['a1', 'a01', 'a001']);
  });

  it('sorts digits before other characters and other characters by code point', () => {
    expect(sorted(['b', 'a', '9', 'B', '_x', 'é'])).toEqual(['9', 'B', '_x', 'a', 'b', 'é']);
    expect(sorted(['x-1', 'x1'])).toEqual(['x1', 'x-1']);
  });

  it('puts a prefix first and finds identical strings equal', () => {
    expect(sorted(['abc', 'ab', 'ab1'])).toEqual(['ab', 'ab1', 'abc']);
    expect(compareNatural('n10', 'n10')).toBe(0);
    expect(compareNatural('', '')).toBe(0);
    expect(compareNatural('', 'a')).toBeLessThan(0);
  });

  it('compares characters outside the BMP by code point', () => {
    expect(sorted(['\u{1f680}', '\uffe0'])).toEqual(['\uffe0', '\u{1f680}']);
  });
});

describe('sortRowsNaturally', () => {
  it('sorts by the first column that differs, naturally, with empty values last', () => {
    const rows = [
      ['c10', 'RUNNING'],
      ['', 'STOPPED'],
      ['c2', 'STOPPED'],
      ['c2', ''],
      ['c2', 'RUNNING'],
      ['c1', 'RUNNING'],
    ];
    expect(sortRowsNaturally(rows)).toEqual([
      ['c1', 'RUNNING'],
      ['c2', 'RUNNING'],
      ['c2', 'STOPPED'],
      ['c2', ''],
      ['c10', 'RUNNING'],
      ['', 'STOPPED'],
    ]);
  });

  it('returns a new array and leaves the input alone', () => {
    const rows = [['b'], ['a']];
    const result = sortRowsNaturally(rows);
    expect(result).toEqual([['a'], ['b']]);
    expect(rows).toEqual([['b'], ['a']]);
    result[0][0] = 'changed';
    expect(rows[1][0]).toBe('a');
  });

  it('treats a missing cell like an empty one', () => {
    expect(sortRowsNaturally([['a'], ['a', 'x']])).toEqual([['a', 'x'], ['a']]);
  });
});
