import { FilterSyntaxError, parseFilter } from './filter-clause';

describe('parseFilter', () => {
  it('parses clauses joined by and / or, with not', () => {
    expect(parseFilter('architecture eq x86_64 and not public eq true or properties.os ne Ubuntu')).toEqual([
      { prevLogical: 'and', not: false, field: 'architecture', operator: 'eq', value: 'x86_64' },
      { prevLogical: 'and', not: true, field: 'public', operator: 'eq', value: 'true' },
      { prevLogical: 'or', not: false, field: 'properties.os', operator: 'ne', value: 'Ubuntu' },
    ]);
  });

  it('joins a quoted value that spans words', () => {
    expect(parseFilter('properties.description eq "my busy box" and public eq false')[0].value).toBe('my busy box');
  });

  it('ignores extra whitespace and accepts NOT in any case', () => {
    expect(parseFilter('  NOT   fingerprint  eq   abc  ')).toEqual([{ prevLogical: 'and', not: true, field: 'fingerprint', operator: 'eq', value: 'abc' }]);
  });

  it('is empty for an empty filter', () => {
    expect(parseFilter('')).toEqual([]);
  });

  it.each([
    ['not', 'incomplete not clause'],
    ['public', 'clause has no operator'],
    ['public eq', 'clause has no value'],
    ['public gt 1', 'unknown operator "gt" (eq or ne)'],
    ['properties.description eq "open', 'unterminated quote'],
    ['public eq true xor public eq false', 'invalid clause composition'],
    ['public eq true and', 'unterminated compound clause'],
  ])('refuses %p: %s', (text, message) => {
    expect(() => parseFilter(text)).toThrow(new FilterSyntaxError(message));
  });
});
