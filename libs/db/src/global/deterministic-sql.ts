/**
 * Checks that an SQL statement may be replicated: every member applies the same committed entry to
 * its own copy of the global database, so a statement must produce the same result everywhere.
 * Values that depend on the member or the moment (random numbers, the current time, the local time
 * zone) must be computed once by the proposer and passed as parameters.
 *
 * The check works on SQLite tokens, so words inside string literals, comments and quoted
 * identifiers used as names (a column "random", random_name) are not mistaken for calls. It cannot
 * see parameter values: `datetime(?)` bound to 'now' is not caught.
 */

/** A replicated write uses a value that differs between members or over time. */
export class NonDeterministicSqlError extends Error {
  constructor(
    /** The offending construct, e.g. `random()`, `datetime('now')`, `CURRENT_TIMESTAMP`. */
    readonly construct: string,
    readonly sql: string,
  ) {
    super(`non-deterministic SQL in a replicated write: ${construct} — pass the value as a parameter`);
    this.name = 'NonDeterministicSqlError';
  }
}

/** A replicated write tries to control the transaction or the connection, which the state machine owns. */
export class UnreplicableSqlError extends Error {
  constructor(
    readonly keyword: string,
    readonly sql: string,
  ) {
    super(`${keyword} is not allowed in a replicated write: the state machine runs each entry as one transaction on its own connection`);
    this.name = 'UnreplicableSqlError';
  }
}

export type SqlTokenKind = 'word' | 'quoted-id' | 'string' | 'blob' | 'number' | 'param' | 'punct';

export interface SqlToken {
  kind: SqlTokenKind;
  /** word, quoted-id: the name lower-cased; string: its value; punct: the character; else the source text. */
  value: string;
  /** Offset in the source. */
  pos: number;
}

const isIdStart = (c: string): boolean => /[A-Za-z_]/.test(c) || c > '\x7f';
const isIdChar = (c: string): boolean => /[A-Za-z0-9_$]/.test(c) || c > '\x7f';

/** Splits SQL into tokens as SQLite's tokenizer does, dropping whitespace and comments. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const n = sql.length;
  let i = 0;
  const quoted = (close: string, doubling: boolean): string => {
    // sql[i] is the opening quote; returns the unescaped contents and leaves i after the closing quote.
    let out = '';
    let j = i + 1;
    for (;;) {
      const k = sql.indexOf(close, j);
      if (k < 0) {
        out += sql.slice(j);
        i = n; // unterminated: SQLite refuses it anyway
        return out;
      }
      out += sql.slice(j, k);
      if (doubling && sql[k + 1] === close) {
        out += close;
        j = k + 2;
        continue;
      }
      i = k + 1;
      return out;
    }
  };
  while (i < n) {
    const c = sql[i];
    const start = i;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const k = sql.indexOf('\n', i);
      i = k < 0 ? n : k + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const k = sql.indexOf('*/', i + 2);
      i = k < 0 ? n : k + 2;
    } else if (c === "'") {
      tokens.push({ kind: 'string', value: quoted("'", true), pos: start });
    } else if (c === '"' || c === '`') {
      tokens.push({ kind: 'quoted-id', value: quoted(c, true).toLowerCase(), pos: start });
    } else if (c === '[') {
      tokens.push({ kind: 'quoted-id', value: quoted(']', false).toLowerCase(), pos: start });
    } else if ((c === 'x' || c === 'X') && sql[i + 1] === "'") {
      i++;
      quoted("'", false);
      tokens.push({ kind: 'blob', value: sql.slice(start, i), pos: start });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      i++;
      while (i < n) {
        const d = sql[i];
        if (/[0-9A-Za-z_.]/.test(d)) i++;
        else if ((d === '+' || d === '-') && /[eE]/.test(sql[i - 1]) && !/^0[xX]/.test(sql.slice(start, i))) i++;
        else break;
      }
      tokens.push({ kind: 'number', value: sql.slice(start, i), pos: start });
    } else if (c === '?') {
      i++;
      while (i < n && /[0-9]/.test(sql[i])) i++;
      tokens.push({ kind: 'param', value: sql.slice(start, i), pos: start });
    } else if ((c === ':' || c === '@' || c === '$' || c === '#') && i + 1 < n && isIdChar(sql[i + 1])) {
      i++;
      while (i < n && (isIdChar(sql[i]) || (sql[i] === ':' && sql[i + 1] === ':'))) i += sql[i] === ':' ? 2 : 1;
      tokens.push({ kind: 'param', value: sql.slice(start, i), pos: start });
    } else if (isIdStart(c)) {
      i++;
      while (i < n && isIdChar(sql[i])) i++;
      tokens.push({ kind: 'word', value: sql.slice(start, i).toLowerCase(), pos: start });
    } else {
      i++;
      tokens.push({ kind: 'punct', value: c, pos: start });
    }
  }
  return tokens;
}

/** Date and time functions; all of them read the clock when given 'now' or (most) no time value. */
const TIME_FUNCTIONS = new Set(['date', 'time', 'datetime', 'julianday', 'unixepoch', 'strftime', 'timediff']);
/** Arguments before the time value: strftime(format, time, ...). */
const TIME_VALUE_ARG = new Map([['strftime', 1]]);
/** Modifiers that depend on the member's time zone. */
const ZONE_MODIFIERS = new Set(['localtime', 'utc']);
const CLOCK_KEYWORDS = new Set(['current_timestamp', 'current_date', 'current_time']);
const RANDOM_FUNCTIONS = new Set(['random', 'randomblob']);
/** Statements that would end, nest or escape the state machine's transaction, or change the connection. */
const FORBIDDEN_FIRST_WORDS = new Set(['begin', 'commit', 'end', 'rollback', 'savepoint', 'release', 'attach', 'detach', 'vacuum', 'pragma']);

/** The first problem found, or undefined when the SQL is deterministic. */
export function findNonDeterminism(sql: string, tokens: SqlToken[] = tokenizeSql(sql)): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'word' && CLOCK_KEYWORDS.has(t.value)) return t.value.toUpperCase();
    if (t.kind !== 'word' && t.kind !== 'quoted-id') continue;
    if (tokens[i + 1]?.kind !== 'punct' || tokens[i + 1].value !== '(') continue;
    if (RANDOM_FUNCTIONS.has(t.value)) return `${t.value}()`;
    if (!TIME_FUNCTIONS.has(t.value)) continue;
    // A call: collect its top-level argument count and every string literal inside it.
    let depth = 0;
    let args = 0;
    let sawToken = false;
    let j = i + 1;
    for (; j < tokens.length; j++) {
      const u = tokens[j];
      if (u.kind === 'punct' && u.value === '(') {
        if (depth++ === 0) continue;
      } else if (u.kind === 'punct' && u.value === ')') {
        if (--depth === 0) break;
      } else if (u.kind === 'punct' && u.value === ',' && depth === 1) {
        args++;
        continue;
      }
      if (depth >= 1 && !sawToken) {
        sawToken = true;
        args++;
      }
      // 'now' anywhere in the call (also "now": SQLite may take a double-quoted word as a string).
      if ((u.kind === 'string' || u.kind === 'quoted-id') && u.value.toLowerCase() === 'now') return `${t.value}('now')`;
      if (u.kind === 'string' && ZONE_MODIFIERS.has(u.value.toLowerCase())) return `${t.value}(..., '${u.value.toLowerCase()}')`;
    }
    if (args <= (TIME_VALUE_ARG.get(t.value) ?? 0) && t.value !== 'timediff') return t.value === 'strftime' ? 'strftime(format) without a time value' : `${t.value}()`;
  }
  return undefined;
}

/** Throws NonDeterministicSqlError if the SQL uses the clock, randomness or the local time zone. */
export function assertDeterministic(sql: string): void {
  const problem = findNonDeterminism(sql);
  if (problem !== undefined) throw new NonDeterministicSqlError(problem, sql);
}

/** The statement's leading keyword when it is one the state machine refuses to run, else undefined. */
export function forbiddenStatementKeyword(sql: string, tokens: SqlToken[] = tokenizeSql(sql)): string | undefined {
  const first = tokens.find((t) => !(t.kind === 'punct' && t.value === ';'));
  if (first?.kind === 'word' && FORBIDDEN_FIRST_WORDS.has(first.value)) return first.value.toUpperCase();
  return undefined;
}

/** Throws UnreplicableSqlError for transaction control, ATTACH/DETACH, VACUUM and PRAGMA statements. */
export function assertNoTransactionControl(sql: string, tokens?: SqlToken[]): void {
  const keyword = forbiddenStatementKeyword(sql, tokens);
  if (keyword !== undefined) throw new UnreplicableSqlError(keyword, sql);
}

/** Statements that passed assertReplicable (most writes reuse a few statement texts). */
const REPLICABLE = new Set<string>();
const REPLICABLE_CACHE_SIZE = 2048;

/** Both checks a statement must pass before it is proposed: deterministic and no transaction control. */
export function assertReplicable(sql: string): void {
  if (REPLICABLE.has(sql)) return;
  const tokens = tokenizeSql(sql);
  assertNoTransactionControl(sql, tokens);
  const problem = findNonDeterminism(sql, tokens);
  if (problem !== undefined) throw new NonDeterministicSqlError(problem, sql);
  if (REPLICABLE.size >= REPLICABLE_CACHE_SIZE) REPLICABLE.delete(REPLICABLE.values().next().value as string);
  REPLICABLE.add(sql);
}
