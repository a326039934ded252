/**
 * Splits a string of SQL into its statements at the semicolons SQLite would end them at: not
 * inside literals, quoted names or comments (the tokenizer skips those), and not inside the
 * BEGIN ... END body of a CREATE TRIGGER (where CASE ... END may nest).
 */
import { type SqlToken, tokenizeSql } from './deterministic-sql';

export function splitSqlStatements(sql: string): string[] {
  const tokens = tokenizeSql(sql);
  const out: string[] = [];
  let start = 0; // source offset where the current statement begins
  let first: SqlToken | undefined; // first token of the current statement
  let isTrigger = false;
  let inBody = false;
  let caseDepth = 0;
  const flush = (end: number): void => {
    const text = sql.slice(start, end).trim();
    if (text !== '') out.push(text);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && t.value === ';' && !inBody) {
      if (first) flush(t.pos);
      start = t.pos + 1;
      first = undefined;
      isTrigger = false;
      caseDepth = 0;
      continue;
    }
    if (!first) {
      first = t;
      start = t.pos;
    }
    if (t.kind !== 'word') continue;
    if (!isTrigger && first.kind === 'word' && first.value === 'create' && t.value === 'trigger') isTrigger = true;
    if (isTrigger && !inBody && t.value === 'begin') {
      inBody = true;
    } else if (inBody && t.value === 'case') {
      caseDepth++;
    } else if (inBody && t.value === 'end') {
      if (caseDepth > 0) caseDepth--;
      else inBody = false;
    }
  }
  if (first) flush(sql.length);
  return out;
}
