import { InvalidFormatError } from './invalid-format-error';
import { SQL_FORMATS } from './output-format';
import { renderTable } from './render-table';

const lines = (...l: string[]) => l.map((x) => x + '\n').join('');

describe('renderTable', () => {
  const columns = ['NAME', 'STATE'];
  const rows = [
    ['c1', 'RUNNING'],
    ['c2', 'STOPPED'],
  ];
  const raw = [
    { name: 'c1', status: 'Running' },
    { name: 'c2', status: 'Stopped' },
  ];

  it('table: the bordered table with a line after every row', () => {
    expect(renderTable('table', columns, rows, raw)).toBe(
      lines(
        '+------+---------+',
        '| NAME |  STATE  |',
        '+------+---------+',
        '| c1   | RUNNING |',
        '+------+---------+',
        '| c2   | STOPPED |',
        '+------+---------+',
      ),
    );
  });

  it('compact: the same columns without borders', () => {
    expect(renderTable('compact', columns, rows, raw)).toBe(
      lines('  NAME   STATE   ', '  c1    RUNNING  ', '  c2    STOPPED  '),
    );
  });

  it('csv: the rows only', () => {
    expect(renderTable('csv', columns, rows, raw)).toBe('c1,RUNNING\nc2,STOPPED\n');
    expect(renderTable('csv', columns, [], [])).toBe('');
  });

  it('json and yaml: the raw objects, not the rows', () => {
    expect(renderTable('json', columns, rows, raw)).toBe(
      '[{"name":"c1","status":"Running"},{"name":"c2","status":"Stopped"}]\n',
    );
    expect(renderTable('yaml', columns, rows, raw)).toBe(
      '- name: c1\n  status: Running\n- name: c2\n  status: Stopped\n',
    );
    expect(renderTable('json', columns, [], [])).toBe('[]\n');
    expect(renderTable('yaml', columns, [], [])).toBe('[]\n');
  });

  it('empty tables keep their header', () => {
    expect(renderTable('table', columns, [], [])).toBe(
      lines('+------+-------+', '| NAME | STATE |', '+------+-------+'),
    );
    expect(renderTable('compact', columns, [], [])).toBe(lines('  NAME  STATE  '));
  });

  it('sql: only for commands that accept it; headers are not titled and rows have no lines between them', () => {
    expect(() => renderTable('sql', ['id'], [['1']], null)).toThrow(InvalidFormatError);
    expect(
      renderTable(
        'sql',
        ['id', 'name'],
        [
          ['1', 'n1'],
          ['2', 'n2'],
        ],
        null,
        SQL_FORMATS,
      ),
    ).toBe(lines('+----+------+', '| id | name |', '+----+------+', '| 1  | n1   |', '| 2  | n2   |', '+----+------+'));
    expect(renderTable('table', ['id'], [['1']], null, SQL_FORMATS)).toBe(
      lines('+----+', '| ID |', '+----+', '| 1  |', '+----+'),
    );
  });

  it('rejects an unknown format', () => {
    expect(() => renderTable('xml', columns, rows, raw)).toThrow(InvalidFormatError);
    expect(() => renderTable('xml', columns, rows, raw)).toThrow('Invalid format "xml"');
  });
});
