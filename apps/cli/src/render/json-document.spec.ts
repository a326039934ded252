import { jsonDocument } from './json-document';

describe('jsonDocument', () => {
  it('writes compact JSON on one line', () => {
    expect(jsonDocument([{ name: 'n1', roles: ['database'], config: {} }])).toBe(
      '[{"name":"n1","roles":["database"],"config":{}}]\n',
    );
    expect(jsonDocument([])).toBe('[]\n');
  });

  it('escapes <, >, & and the line separators as \\u sequences, keeping the value', () => {
    const raw = { description: '<b> & </b>', text: 'a\u2028b\u2029c' };
    const text = jsonDocument(raw);
    expect(text).toBe('{"description":"\\u003cb\\u003e \\u0026 \\u003c/b\\u003e","text":"a\\u2028b\\u2029c"}\n');
    expect(JSON.parse(text)).toEqual(raw);
  });

  it('writes null for a missing value', () => {
    expect(jsonDocument(undefined)).toBe('null\n');
    expect(jsonDocument(null)).toBe('null\n');
  });
});
