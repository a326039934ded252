import { lxdError, sync } from '../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../test/cube-env';
import { runSqlCommand } from './sql-command';

const SELECT = {
  type: 'select',
  columns: ['id', 'name', 'note'],
  rows: [
    [1, 'n1', null],
    [2, 'n2', 'x'],
  ],
  rows_affected: 0,
};
const EXEC = { type: 'exec', columns: null, rows: null, rows_affected: 3 };

describe('sql', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake.on('POST', '/internal/sql', (req) => {
      const { query } = req.body as { query: string };
      if (query.startsWith('bad')) return lxdError(400, 'near "bad": syntax error');
      return sync({ results: query.includes(';') ? [SELECT, EXEC] : query.startsWith('SELECT') ? [SELECT] : [EXEC] });
    });
    t.fake.on('GET', '/internal/sql', (req) =>
      sync({
        text: `-- ${req.query.database} schema=${req.query.schema ?? ''} checksums=${req.query.checksums ?? ''}\n`,
      }),
    );
  });
  afterEach(() => t.close());

  it('cube sql prints a select as an sql table and an exec as rows affected', async () => {
    const r = await t.cube(['sql', 'global', 'SELECT id, name, note FROM nodes']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        '+----+------+-------+',
        '| id | name | note  |',
        '+----+------+-------+',
        '| 1  | n1   | <nil> |',
        '| 2  | n2   | x     |',
        '+----+------+-------+',
        '',
      ].join('\n'),
    );
    expect(t.fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/internal/sql',
      body: { database: 'global', query: 'SELECT id, name, note FROM nodes' },
    });
    expect((await t.cube(['sql', 'local', 'DELETE FROM config'])).stdout).toBe('Rows affected: 3\n');
  });

  it('numbers the results of a batch and honours --format', async () => {
    const r = await t.cube(['sql', 'global', 'SELECT 1; DELETE FROM x', '--format', 'csv']);
    expect(r.stdout).toBe('=> Query 0:\n\n1,n1,<nil>\n2,n2,x\n\n=> Query 1:\n\nRows affected: 3\n\n');
  });

  it('reads - from standard input and dumps with .dump, .schema and .checksums', async () => {
    await t.cube(['sql', 'local', '-'], { stdin: 'SELECT * FROM config\n' });
    expect((t.fake.requests[0].body as { query: string }).query).toBe('SELECT * FROM config\n');
    expect((await t.cube(['sql', 'local', '.dump'])).stdout).toBe('-- local schema= checksums=\n');
    expect((await t.cube(['sql', 'global', '.schema'])).stdout).toBe('-- global schema=1 checksums=\n');
    expect((await t.cube(['sql', 'global', '.checksums'])).stdout).toBe('-- global schema= checksums=1\n');
    expect(t.fake.sequence.slice(1)).toEqual([
      'GET /internal/sql?database=local',
      'GET /internal/sql?database=global&schema=1',
      'GET /internal/sql?database=global&checksums=1',
    ]);
  });

  it('refuses a bad database or format before sending anything, and prints SQL errors', async () => {
    expect((await t.cube(['sql', 'other', 'SELECT 1'])).stderr).toBe(
      'Error: Invalid database type "other": expected "local" or "global"\n',
    );
    expect((await t.cube(['sql', 'local', 'SELECT 1', '-f', 'xml'])).stderr).toBe('Error: Invalid format "xml"\n');
    expect(t.fake.requests).toHaveLength(0);
    expect((await t.cube(['sql', 'local', 'bad'])).stderr).toBe('Error: near "bad": syntax error\n');
  });

  it('is a function another program can call with its own socket and io', async () => {
    const out: string[] = [];
    await runSqlCommand(t.fake.socketPath, 'global', '-', 'json', {
      stdout: (s) => void out.push(s),
      readStdin: async () => 'SELECT 1',
    });
    expect(out.join('')).toBe(`${JSON.stringify(SELECT)}\n`);
  });
});
