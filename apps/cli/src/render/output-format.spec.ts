import { InvalidFormatError } from './invalid-format-error';
import { LIST_FORMATS, parseOutputFormat, SQL_FORMATS } from './output-format';

describe('parseOutputFormat', () => {
  it('accepts the list formats by default', () => {
    for (const format of ['table', 'compact', 'csv', 'json', 'yaml']) expect(parseOutputFormat(format)).toBe(format);
    expect([...LIST_FORMATS].sort()).toEqual(['compact', 'csv', 'json', 'table', 'yaml']);
  });

  it('accepts sql only where the command allows it', () => {
    expect(() => parseOutputFormat('sql')).toThrow(new InvalidFormatError('sql'));
    expect(parseOutputFormat('sql', SQL_FORMATS)).toBe('sql');
    expect(parseOutputFormat('table', SQL_FORMATS)).toBe('table');
  });

  it.each(['x', '', 'TABLE', ' table', 'table,noheader'])('rejects %j with Invalid format', (value) => {
    let caught: unknown;
    try {
      parseOutputFormat(value, SQL_FORMATS);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidFormatError);
    expect((caught as InvalidFormatError).message).toBe(`Invalid format "${value}"`);
    expect((caught as InvalidFormatError).format).toBe(value);
  });
});
