import { toCsv } from './csv';

describe('toCsv', () => {
  it('writes one line per row, without a header', () => {
    expect(
      toCsv([
        ['n1', 'https://10.210.0.1:8443', 'database'],
        ['n2', '', 'database-standby'],
      ]),
    ).toBe('n1,https://10.210.0.1:8443,database\nn2,,database-standby\n');
  });

  it('is empty without rows', () => {
    expect(toCsv([])).toBe('');
  });

  it('quotes fields with commas, quotes or line breaks, doubling quotes and keeping the line breaks', () => {
    expect(toCsv([['a,b', 'say "hi"', 'database-leader\ndatabase', 'cr\rhere', 'plain']])).toBe(
      '"a,b","say ""hi""","database-leader\ndatabase","cr\rhere",plain\n',
    );
  });

  it('quotes fields that start with white space, and the field \\.', () => {
    expect(toCsv([[' lead', '\ttab', 'trail ', '\\.', '\\x']])).toBe('" lead","\ttab",trail ,"\\.",\\x\n');
  });

  it('keeps unicode as it is', () => {
    expect(toCsv([['名前', '🚀']])).toBe('名前,🚀\n');
  });
});
