/**
 * LXD's API filtering (`?filter=`): `<field> eq|ne <value>` clauses joined by `and` / `or`, each
 * optionally preceded by `not`; `and` binds tighter than `or`. A field is a dotted path into the
 * object's JSON; map keys may contain dots themselves (`config.image.os` reads config["image.os"]).
 * Values may be quoted with single or double quotes.
 */
import { badRequest } from '../http/lxd-error';

interface Clause {
  negate: boolean;
  field: string;
  op: 'eq' | 'ne';
  value: string;
}

/** Clauses grouped as an OR of ANDs. */
export type Filter = Clause[][];

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw badRequest(`Invalid filter: unterminated quote in "${text}"`);
      tokens.push(text.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

export function parseFilter(text: string | undefined): Filter | null {
  if (text === undefined || text.trim() === '') return null;
  const tokens = tokenize(text);
  const groups: Filter = [[]];
  let i = 0;
  for (;;) {
    let negate = false;
    while (tokens[i]?.toLowerCase() === 'not') {
      negate = !negate;
      i++;
    }
    const [field, op, value] = [tokens[i], tokens[i + 1]?.toLowerCase(), tokens[i + 2]];
    if (field === undefined || op === undefined || value === undefined) throw badRequest(`Invalid filter "${text}": expected <field> eq|ne <value>`);
    if (op !== 'eq' && op !== 'ne') throw badRequest(`Invalid filter "${text}": unknown operator "${tokens[i + 1]}" (use eq or ne)`);
    groups[groups.length - 1].push({ negate, field, op, value });
    i += 3;
    if (i >= tokens.length) return groups;
    const joiner = tokens[i].toLowerCase();
    if (joiner === 'or') groups.push([]);
    else if (joiner !== 'and') throw badRequest(`Invalid filter "${text}": expected "and" or "or", not "${tokens[i]}"`);
    i++;
  }
}

/** The value at a dotted path; keys with dots are matched greedily. */
function lookup(value: unknown, path: string[]): unknown {
  if (path.length === 0) return value;
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (let n = path.length; n >= 1; n--) {
    const key = path.slice(0, n).join('.');
    if (key in record) {
      const found = lookup(record[key], path.slice(n));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function matchesClause(object: unknown, clause: Clause): boolean {
  const actual = text(lookup(object, clause.field.split('.')));
  const equal = actual !== undefined && (actual === clause.value || actual.toLowerCase() === clause.value.toLowerCase());
  const result = clause.op === 'eq' ? equal : !equal;
  return clause.negate ? !result : result;
}

export function matchesFilter(object: unknown, filter: Filter | null): boolean {
  if (!filter) return true;
  return filter.some((group) => group.every((clause) => matchesClause(object, clause)));
}
