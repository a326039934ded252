import { assertDeterministic, assertReplicable, findNonDeterminism, NonDeterministicSqlError, tokenizeSql, UnreplicableSqlError } from './deterministic-sql';

describe('deterministic SQL check', () => {
  const refused: Array<[string, string]> = [
    ['INSERT INTO t (v) VALUES (random())', 'random()'],
    ['INSERT INTO t (v) VALUES (RANDOM ( ))', 'random()'],
    ['INSERT INTO t (v) VALUES (abs(Random()) % 10)', 'random()'],
    ['INSERT INTO t (v) VALUES ("random"())', 'random()'],
    ['INSERT INTO t (v) VALUES (randomblob(16))', 'randomblob()'],
    ['INSERT INTO t (v) VALUES (hex(RANDOMBLOB(4)))', 'randomblob()'],
    ["UPDATE t SET at = datetime('now')", "datetime('now')"],
    ["UPDATE t SET at = DATETIME('NOW', '-1 day')", "datetime('now')"],
    ["UPDATE t SET at = date('now')", "date('now')"],
    ["UPDATE t SET at = time('now')", "time('now')"],
    ["UPDATE t SET at = julianday('now')", "julianday('now')"],
    ["UPDATE t SET at = strftime('%s', 'now')", "strftime('now')"],
    ["UPDATE t SET at = strftime('%Y-%m-%d %H:%M:%f', 'now', 'start of day')", "strftime('now')"],
    ["UPDATE t SET at = unixepoch('now')", "unixepoch('now')"],
    ['UPDATE t SET at = unixepoch()', 'unixepoch()'],
    ['UPDATE t SET at = datetime()', 'datetime()'],
    ['UPDATE t SET at = date( /* today */ )', 'date()'],
    ["UPDATE t SET at = strftime('%s')", 'strftime(format) without a time value'],
    ["UPDATE t SET at = datetime(?, 'localtime')", "datetime(..., 'localtime')"],
    ["UPDATE t SET at = datetime(?, 'utc')", "datetime(..., 'utc')"],
    ["SELECT timediff(?, 'now')", "timediff('now')"],
    ['UPDATE t SET at = CURRENT_TIMESTAMP', 'CURRENT_TIMESTAMP'],
    ['UPDATE t SET at = current_date', 'CURRENT_DATE'],
    ['UPDATE t SET at = Current_Time WHERE id = 1', 'CURRENT_TIME'],
    ['CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME DEFAULT CURRENT_TIMESTAMP)', 'CURRENT_TIMESTAMP'],
    ["CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME NOT NULL DEFAULT (datetime('now')))", "datetime('now')"],
    ['CREATE TABLE t (id INTEGER PRIMARY KEY, token BLOB DEFAULT (randomblob(8)))', 'randomblob()'],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET at = datetime('now') WHERE id = NEW.id; END", "datetime('now')"],
    ['INSERT INTO t (v) VALUES (datetime("now"))', "datetime('now')"],
  ];

  it.each(refused)('refuses %s', (sql, construct) => {
    expect(findNonDeterminism(sql)).toBe(construct);
    expect(() => assertDeterministic(sql)).toThrow(NonDeterministicSqlError);
    expect(() => assertDeterministic(sql)).toThrow(`non-deterministic SQL in a replicated write: ${construct} — pass the value as a parameter`);
  });

  it('reports the construct and the statement', () => {
    try {
      assertDeterministic('INSERT INTO t VALUES (random())');
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(NonDeterministicSqlError);
      expect((err as NonDeterministicSqlError).construct).toBe('random()');
      expect((err as NonDeterministicSqlError).sql).toBe('INSERT INTO t VALUES (random())');
      expect((err as Error).message).toBe('non-deterministic SQL in a replicated write: random() — pass the value as a parameter');
    }
  });

  const allowed = [
    'INSERT INTO t (random_name, randomness) VALUES (?, ?)',
    'SELECT random_name, my_random FROM t',
    'CREATE TABLE t (id INTEGER PRIMARY KEY, random INTEGER, "random" TEXT)',
    'UPDATE t SET random = random + 1',
    "INSERT INTO t (note) VALUES ('uses random() and datetime(''now'') and CURRENT_TIMESTAMP')",
    "INSERT INTO t (note) VALUES ('now')",
    'INSERT INTO t (a) VALUES (?) -- random() datetime(\'now\') CURRENT_TIMESTAMP',
    "/* CURRENT_TIMESTAMP random() */ INSERT INTO t (a) VALUES (strftime('%s', ?))",
    'SELECT "current_timestamp", [current_date], `current_time` FROM t',
    "UPDATE t SET at = datetime(?), d = date(?, '+1 day'), j = julianday(?), u = unixepoch(?)",
    "UPDATE t SET at = strftime('%Y', at)",
    "SELECT timediff(a, b) FROM t",
    'CREATE TABLE t (at DATETIME NOT NULL, d DATE, tm TIME(3), x TIMESTAMP)',
    'CREATE TABLE date (a, b)',
    'INSERT INTO time (a) VALUES (?)',
    "SELECT X'6e6f77', 1.5e-3, 0x1F, :now, @now, $now FROM t",
    'INSERT INTO t (current_timestamp_value) VALUES (?)',
  ];

  it.each(allowed)('allows %s', (sql) => {
    expect(findNonDeterminism(sql)).toBeUndefined();
    expect(() => assertReplicable(sql)).not.toThrow();
  });

  it('refuses transaction control and connection changes', () => {
    for (const sql of ['BEGIN', 'begin immediate', 'COMMIT', 'END TRANSACTION', 'ROLLBACK', 'SAVEPOINT a', 'RELEASE a', "ATTACH 'x.db' AS x", 'DETACH x', 'VACUUM', 'PRAGMA foreign_keys = OFF', '  -- c\n pragma defer_foreign_keys = 1']) {
      expect(() => assertReplicable(sql)).toThrow(UnreplicableSqlError);
    }
    expect(() => assertReplicable('SELECT 1 AS "begin"')).not.toThrow();
    expect(() => assertReplicable('UPDATE pragma SET commit = 1')).not.toThrow();
  });

  it('tokenizes literals, comments and quoted identifiers', () => {
    const tokens = tokenizeSql(`SELECT 'it''s', "a""b", [c d], \`e\`, x'00', 1.5e+3, ?2, :p -- tail\n/* block */ FROM t;`);
    expect(tokens.map((t) => [t.kind, t.value])).toEqual([
      ['word', 'select'],
      ['string', "it's"],
      ['punct', ','],
      ['quoted-id', 'a"b'],
      ['punct', ','],
      ['quoted-id', 'c d'],
      ['punct', ','],
      ['quoted-id', 'e'],
      ['punct', ','],
      ['blob', "x'00'"],
      ['punct', ','],
      ['number', '1.5e+3'],
      ['punct', ','],
      ['param', '?2'],
      ['punct', ','],
      ['param', ':p'],
      ['word', 'from'],
      ['word', 't'],
      ['punct', ';'],
    ]);
  });
});
