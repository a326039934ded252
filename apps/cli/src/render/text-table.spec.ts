import { BORDERED_STYLE, COMPACT_STYLE, drawTextTable, SQL_RESULT_STYLE } from './text-table';

const lines = (...l: string[]) => l.map((x) => x + '\n').join('');

describe('drawTextTable', () => {
  describe('bordered (lxc --format table)', () => {
    it('draws `lxc cluster list` exactly as lxc 5.0.2 does, multi-line roles included', () => {
      const columns = ['NAME', 'URL', 'ROLES', 'ARCHITECTURE', 'FAILURE DOMAIN', 'DESCRIPTION', 'STATE', 'MESSAGE'];
      const member = (name: string, roles: string) => [
        name,
        `https://10.210.0.${name.slice(1)}:8443`,
        roles,
        'x86_64',
        'default',
        '',
        'ONLINE',
        'Fully operational',
      ];
      const rows = [
        member('n1', 'database'),
        member('n2', 'database-standby'),
        member('n3', 'database'),
        member('n4', 'database-leader\ndatabase'),
      ];
      expect(drawTextTable(columns, rows, BORDERED_STYLE)).toBe(
        lines(
          '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
          '| NAME |           URL           |      ROLES       | ARCHITECTURE | FAILURE DOMAIN | DESCRIPTION | STATE  |      MESSAGE      |',
          '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
          '| n1   | https://10.210.0.1:8443 | database         | x86_64       | default        |             | ONLINE | Fully operational |',
          '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
          '| n2   | https://10.210.0.2:8443 | database-standby | x86_64       | default        |             | ONLINE | Fully operational |',
          '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
          '| n3   | https://10.210.0.3:8443 | database         | x86_64       | default        |             | ONLINE | Fully operational |',
          '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
          '| n4   | https://10.210.0.4:8443 | database-leader  | x86_64       | default        |             | ONLINE | Fully operational |',
          '|      |                         | database         |              |                |             |        |                   |',
          '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
        ),
      );
    });

    it('draws `lxc list` exactly as lxc 5.0.2 does, numbers left-aligned and empty cells blank', () => {
      const columns = ['NAME', 'STATE', 'IPV4', 'IPV6', 'TYPE', 'SNAPSHOTS', 'LOCATION'];
      const rows = [
        ['c1', 'RUNNING', '', '', 'CONTAINER', '0', 'n3'],
        ['c3', 'STOPPED', '', '', 'CONTAINER', '0', 'n1'],
      ];
      expect(drawTextTable(columns, rows, BORDERED_STYLE)).toBe(
        lines(
          '+------+---------+------+------+-----------+-----------+----------+',
          '| NAME |  STATE  | IPV4 | IPV6 |   TYPE    | SNAPSHOTS | LOCATION |',
          '+------+---------+------+------+-----------+-----------+----------+',
          '| c1   | RUNNING |      |      | CONTAINER | 0         | n3       |',
          '+------+---------+------+------+-----------+-----------+----------+',
          '| c3   | STOPPED |      |      | CONTAINER | 0         | n1       |',
          '+------+---------+------+------+-----------+-----------+----------+',
        ),
      );
    });

    it('draws only the header of an empty table', () => {
      expect(drawTextTable(['NAME', 'URL'], [], BORDERED_STYLE)).toBe(
        lines('+------+-----+', '| NAME | URL |', '+------+-----+'),
      );
    });

    it('lines up wide characters, emoji and combining marks by display width', () => {
      const rows = [
        ['名前', '🚀 launch'],
        ['e\u0301t\u00e9', 'コンテナ'],
      ];
      expect(drawTextTable(['NAME', 'DESCRIPTION'], rows, BORDERED_STYLE)).toBe(
        lines(
          '+------+-------------+',
          '| NAME | DESCRIPTION |',
          '+------+-------------+',
          '| 名前 | 🚀 launch   |',
          '+------+-------------+',
          '| e\u0301t\u00e9  | コンテナ    |',
          '+------+-------------+',
        ),
      );
    });

    it('widens a column for a wide cell and centres its header', () => {
      expect(drawTextTable(['ID'], [['一二三']], BORDERED_STYLE)).toBe(
        lines('+--------+', '|   ID   |', '+--------+', '| 一二三 |', '+--------+'),
      );
    });

    it('titles the headers, splits multi-line cells and completes short rows', () => {
      const rows = [['n1', 'a\nb\nc'], ['n2']];
      expect(drawTextTable(['server_name', 'failure_domain'], rows, BORDERED_STYLE)).toBe(
        lines(
          '+-------------+----------------+',
          '| SERVER NAME | FAILURE DOMAIN |',
          '+-------------+----------------+',
          '| n1          | a              |',
          '|             | b              |',
          '|             | c              |',
          '+-------------+----------------+',
          '| n2          |                |',
          '+-------------+----------------+',
        ),
      );
    });

    it('adds a column without a header for a row with extra cells, and a multi-line header', () => {
      expect(drawTextTable(['TWO\nLINES'], [['x', 'extra']], BORDERED_STYLE)).toBe(
        lines(
          '+-------+-------+',
          '|  TWO  |       |',
          '| LINES |       |',
          '+-------+-------+',
          '| x     | extra |',
          '+-------+-------+',
        ),
      );
    });

    it('treats CRLF in a cell as one line break', () => {
      expect(drawTextTable(['A'], [['x\r\ny']], BORDERED_STYLE)).toBe(
        lines('+---+', '| A |', '+---+', '| x |', '| y |', '+---+'),
      );
    });

    it('is empty without columns', () => {
      expect(drawTextTable([], [], BORDERED_STYLE)).toBe('');
    });
  });

  describe('compact (lxc --format compact)', () => {
    it('draws the columns without borders, two spaces around each', () => {
      const rows = [
        ['c1', 'RUNNING', 'CONTAINER'],
        ['c10', 'STOPPED', 'CONTAINER'],
      ];
      expect(drawTextTable(['NAME', 'STATE', 'TYPE'], rows, COMPACT_STYLE)).toBe(
        lines('  NAME   STATE     TYPE     ', '  c1    RUNNING  CONTAINER  ', '  c10   STOPPED  CONTAINER  '),
      );
    });

    it('draws only the header of an empty table', () => {
      expect(drawTextTable(['NAME', 'URL'], [], COMPACT_STYLE)).toBe(lines('  NAME  URL  '));
    });

    it('splits multi-line cells and lines up wide cells', () => {
      const rows = [
        ['n4', 'database-leader\ndatabase'],
        ['節点', 'database'],
      ];
      expect(drawTextTable(['name', 'roles'], rows, COMPACT_STYLE)).toBe(
        lines(
          '  NAME       ROLES       ',
          '  n4    database-leader  ',
          '        database         ',
          '  節点  database         ',
        ),
      );
    });
  });

  describe('sql result (lxd sql)', () => {
    it('keeps headers as given and draws lines only around the header and at the end', () => {
      const rows = [
        ['1', 'n1'],
        ['2', 'n2'],
      ];
      expect(drawTextTable(['id', 'server_name'], rows, SQL_RESULT_STYLE)).toBe(
        lines(
          '+----+-------------+',
          '| id | server_name |',
          '+----+-------------+',
          '| 1  | n1          |',
          '| 2  | n2          |',
          '+----+-------------+',
        ),
      );
    });

    it('closes an empty result right under the header line', () => {
      expect(drawTextTable(['id'], [], SQL_RESULT_STYLE)).toBe(lines('+----+', '| id |', '+----+', '+----+'));
    });
  });
});
