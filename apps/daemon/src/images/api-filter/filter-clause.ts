/**
 * LXD's API filter language (`?filter=`), parsed as LXD 5.0.2 parses it: whitespace-separated
 * words `[not] <field> <operator> <value>` joined by `and` / `or` (evaluated left to right), a
 * value in double quotes may contain spaces.
 */
export type FilterOperator = 'eq' | 'ne';

export interface FilterClause {
  /** How the clause combines with what came before it (the first one: `and`). */
  prevLogical: 'and' | 'or';
  not: boolean;
  field: string;
  operator: FilterOperator;
  value: string;
}

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

export function parseFilter(text: string): FilterClause[] {
  const parts = text.split(/\s+/).filter((p) => p !== '');
  const clauses: FilterClause[] = [];
  let index = 0;
  let prevLogical: 'and' | 'or' = 'and';
  while (index < parts.length) {
    let not = false;
    if (parts[index].toLowerCase() === 'not') {
      not = true;
      index++;
      if (index === parts.length) throw new FilterSyntaxError('incomplete not clause');
    }
    const field = parts[index];
    index++;
    if (index === parts.length) throw new FilterSyntaxError('clause has no operator');
    const operator = parts[index];
    if (operator !== 'eq' && operator !== 'ne') throw new FilterSyntaxError(`unknown operator "${operator}" (eq or ne)`);
    index++;
    if (index === parts.length) throw new FilterSyntaxError('clause has no value');
    let value = parts[index];
    if (value.startsWith('"')) {
      // A quoted value runs to the word that ends with a quote.
      value = value.slice(1);
      for (;;) {
        index++;
        if (index === parts.length) throw new FilterSyntaxError('unterminated quote');
        if (parts[index].endsWith('"')) break;
        value += ` ${parts[index]}`;
      }
      const end = parts[index];
      value += ` ${end.slice(0, -1)}`;
    }
    index++;
    clauses.push({ prevLogical, not, field, operator, value });
    if (index < parts.length) {
      const logical = parts[index];
      if (logical !== 'and' && logical !== 'or') throw new FilterSyntaxError('invalid clause composition');
      prevLogical = logical;
      index++;
      if (index === parts.length) throw new FilterSyntaxError('unterminated compound clause');
    }
  }
  return clauses;
}
