import { goYamlDocument, GoTime } from './go-yaml';
import { yamlDocument } from './render';

describe('goYamlDocument', () => {
  it('writes what render writes for ordinary values', () => {
    const value = {
      name: 'n1',
      roles: ['database-leader', 'database'],
      config: {},
      groups: [],
      n: 3,
      ok: true,
      none: null,
      text: 'two\nlines',
    };
    expect(goYamlDocument(value)).toBe(yamlDocument(value));
  });

  it('quotes like yaml.v2: double for text YAML 1.1 reads as another type, single for syntax', () => {
    const value = {
      at: '@',
      lead: ' x',
      colon: 'a: b',
      hash: 'a #b',
      star: '*x',
      dash: '-',
      yes: 'yes',
      zero: '0',
      empty: '',
      date: '2026-11-23',
      float: '1.50',
      hex: '0x1F',
      plain: 'a:b,c',
      url: 'https://10.0.0.1:8443',
    };
    expect(goYamlDocument(value)).toBe(
      [
        "at: '@'",
        "lead: ' x'",
        "colon: 'a: b'",
        "hash: 'a #b'",
        "star: '*x'",
        "dash: '-'",
        '"yes": "yes"',
        'zero: "0"',
        'empty: ""',
        'date: "2026-11-23"',
        'float: "1.50"',
        'hex: "0x1F"',
        'plain: a:b,c',
        'url: https://10.0.0.1:8443',
        '',
      ].join('\n'),
    );
  });

  it('writes GoTime as a plain timestamp, a timestamp string quoted', () => {
    expect(
      goYamlDocument({ created_at: new GoTime('2026-11-23T11:58:54.488942281Z'), text: '2026-11-23T11:58:54Z' }),
    ).toBe('created_at: 2026-11-23T11:58:54.488942281Z\ntext: "2026-11-23T11:58:54Z"\n');
  });

  it('writes null for nothing', () => {
    expect(goYamlDocument(undefined)).toBe('null\n');
  });
});
