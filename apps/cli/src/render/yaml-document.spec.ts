import YAML from 'yaml';
import { yamlDocument } from './yaml-document';

describe('yamlDocument', () => {
  it('writes block YAML with sequences not indented under their key', () => {
    const raw = [
      { server_name: 'n4', roles: ['database-leader', 'database'], config: {}, description: '' },
      { server_name: 'n5', roles: [], config: { 'scheduler.instance': 'manual' }, description: 'two\nlines' },
    ];
    expect(yamlDocument(raw)).toBe(
      [
        '- server_name: n4',
        '  roles:',
        '  - database-leader',
        '  - database',
        '  config: {}',
        '  description: ""',
        '- server_name: n5',
        '  roles: []',
        '  config:',
        '    scheduler.instance: manual',
        '  description: |-',
        '    two',
        '    lines',
        '',
      ].join('\n'),
    );
  });

  it('quotes strings a YAML 1.1 reader would take for booleans, numbers or dates', () => {
    const raw = { a: 'yes', b: 'off', c: '0x1F', d: '2026-11-23', e: 'y', f: '1.0' };
    const text = yamlDocument(raw);
    expect(text).toBe('a: "yes"\nb: "off"\nc: "0x1F"\nd: "2026-11-23"\ne: "y"\nf: "1.0"\n');
    expect(YAML.parse(text, { version: '1.1' })).toEqual(raw);
  });

  it('does not fold long strings', () => {
    const long = 'word '.repeat(40).trim();
    expect(yamlDocument({ long })).toBe(`long: ${long}\n`);
  });

  it('writes null for a missing value and [] for an empty list', () => {
    expect(yamlDocument(undefined)).toBe('null\n');
    expect(yamlDocument([])).toBe('[]\n');
  });
});
