import { parseFilter } from './filter-clause';
import { filterValueOf, matchesFilter } from './filter-match';

const image = {
  fingerprint: 'ad4c8235dfded5a9aa315f6d42804d0b5203f52c0b90f4bca09b603f4bd91386',
  public: false,
  size: 1036868,
  architecture: 'x86_64',
  properties: { os: 'BusyBox', 'user.note': 'a note', release: '1.35' },
  aliases: [{ name: 'bb', description: '' }],
};

const matches = (filter: string) => matchesFilter(image, parseFilter(filter));

describe('filterValueOf', () => {
  it('reads fields and keys of string maps, the rest of the path being one key', () => {
    expect(filterValueOf(image, 'architecture')).toBe('x86_64');
    expect(filterValueOf(image, 'properties.os')).toBe('BusyBox');
    expect(filterValueOf(image, 'properties.user.note')).toBe('a note');
  });

  it('reads a key missing from a map as the empty string, a missing field as nothing', () => {
    expect(filterValueOf(image, 'properties.variant')).toBe('');
    expect(filterValueOf(image, 'nonsense')).toBeUndefined();
    expect(filterValueOf(image, 'nonsense.deeper')).toBeUndefined();
  });
});

describe('matchesFilter', () => {
  it('matches strings as anchored case-insensitive regular expressions', () => {
    expect(matches('properties.os eq busybox')).toBe(true);
    expect(matches('properties.os eq Busy')).toBe(false);
    expect(matches('properties.os eq Busy.*')).toBe(true);
    expect(matches('fingerprint eq ^ad4c')).toBe(true);
    expect(matches(`fingerprint eq ${image.fingerprint}`)).toBe(true);
  });

  it('compares an invalid expression as text', () => {
    expect(matchesFilter({ name: 'a(b' }, parseFilter('name eq A(B'))).toBe(true);
    expect(matchesFilter({ name: 'a(c' }, parseFilter('name eq A(B'))).toBe(false);
  });

  it('matches booleans and numbers by their JSON text', () => {
    expect(matches('public eq false')).toBe(true);
    expect(matches('public eq true')).toBe(false);
    expect(matches('public eq FALSE')).toBe(true);
    expect(matches('size eq 1036868')).toBe(true);
  });

  it('never matches a missing field or a list, so ne does', () => {
    expect(matches('nonsense eq x')).toBe(false);
    expect(matches('nonsense ne x')).toBe(true);
    expect(matches('aliases eq bb')).toBe(false);
  });

  it('negates with ne and not, and combines left to right', () => {
    expect(matches('properties.os ne BusyBox')).toBe(false);
    expect(matches('not properties.os eq BusyBox')).toBe(false);
    expect(matches('not properties.os ne BusyBox')).toBe(true);
    expect(matches('public eq true and architecture eq x86_64')).toBe(false);
    expect(matches('public eq true or architecture eq x86_64')).toBe(true);
    // ((true and false) or true): left to right, no precedence.
    expect(matches('architecture eq x86_64 and public eq true or properties.release eq 1.35')).toBe(true);
    // ((true or false) and false)
    expect(matches('architecture eq x86_64 or public eq true and properties.release eq 2')).toBe(false);
  });

  it('matches everything without clauses', () => {
    expect(matchesFilter(image, [])).toBe(true);
  });
});
