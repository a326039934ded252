/**
 * Whether an API object matches parsed filter clauses, as LXD evaluates them:
 *
 * - the field is a dotted path of the object's JSON keys; below a map of strings (`properties`,
 *   `config`) the rest of the path is one key (`properties.user.note` is properties["user.note"]),
 *   and a key the map lacks reads as the empty string;
 * - a string field matches when the value, as a case-insensitive regular expression anchored at
 *   both ends (unless it has `^` or `$` of its own), matches it; a value that is not a valid
 *   expression is compared case-insensitively as text;
 * - a boolean or number field matches the value when its JSON text equals it (`public eq true`);
 *   LXD 5.0.2 compared such fields with the filter's text as-is and never matched them;
 * - a field the object does not have, or a list, matches no value;
 * - `ne` and `not` negate, clauses combine left to right.
 */
import type { FilterClause } from './filter-clause';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: Record<string, Json>): boolean {
  return Object.values(value).every((v) => typeof v === 'string');
}

/** The value at `field` in `object` (the object itself being a struct, not a map). */
export function filterValueOf(object: Json, field: string, struct = true): Json {
  if (!isObject(object)) return undefined;
  const parts = field.split('.');
  if (!struct && isStringMap(object)) return object[field] ?? '';
  const value = Object.prototype.hasOwnProperty.call(object, parts[0]) ? object[parts[0]] : undefined;
  if (parts.length === 1) return value;
  return filterValueOf(value, parts.slice(1).join('.'), false);
}

function matchesValue(actual: Json, expected: string): boolean {
  if (typeof actual === 'string') {
    const pattern = expected.includes('^') || expected.includes('$') ? expected : `^${expected}$`;
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'i');
    } catch {
      return actual.toLowerCase() === expected.toLowerCase();
    }
    return re.test(actual);
  }
  if (typeof actual === 'boolean' || typeof actual === 'number') return String(actual) === expected.toLowerCase();
  return false;
}

export function matchesFilter(object: Json, clauses: readonly FilterClause[]): boolean {
  let match = true;
  for (const clause of clauses) {
    let clauseMatch = matchesValue(filterValueOf(object, clause.field), clause.value);
    if (clause.operator === 'ne') clauseMatch = !clauseMatch;
    if (clause.not) clauseMatch = !clauseMatch;
    match = clause.prevLogical === 'and' ? match && clauseMatch : match || clauseMatch;
  }
  return match;
}
