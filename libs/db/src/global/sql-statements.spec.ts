import { splitSqlStatements } from './sql-statements';

describe('splitSqlStatements', () => {
  it('splits at top-level semicolons and drops empty statements', () => {
    expect(splitSqlStatements('SELECT 1; SELECT 2 ;;  \n')).toEqual(['SELECT 1', 'SELECT 2']);
    expect(splitSqlStatements('  ')).toEqual([]);
    expect(splitSqlStatements('SELECT 1')).toEqual(['SELECT 1']);
  });

  it('keeps semicolons inside literals, quoted names and comments', () => {
    const sql = `INSERT INTO t VALUES ('a;b', "c;d", [e;f]); -- x; y\nSELECT 2 /* ; */`;
    expect(splitSqlStatements(sql)).toEqual([`INSERT INTO t VALUES ('a;b', "c;d", [e;f])`, 'SELECT 2 /* ; */']);
  });

  it('keeps a trigger body whole, CASE ... END included', () => {
    const trigger = `CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE u SET n = CASE WHEN NEW.a > 0 THEN 1 ELSE 0 END;
  DELETE FROM v;
END`;
    expect(splitSqlStatements(`${trigger}; SELECT 1`)).toEqual([trigger, 'SELECT 1']);
    // BEGIN as a transaction statement is just a statement.
    expect(splitSqlStatements('BEGIN; COMMIT')).toEqual(['BEGIN', 'COMMIT']);
  });
});
