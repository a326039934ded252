import { InvalidFormatError } from './invalid-format-error';

/**
 * Output formats of list commands, as `lxc ... list --format` names them:
 * - `table`: a bordered ASCII table with a line after every row;
 * - `compact`: the same columns without borders or lines;
 * - `csv`: the rows as CSV, without a header;
 * - `json`, `yaml`: the raw API objects;
 * - `sql`: a bordered table with lines only around the header and at the end, headers as given (`lxd sql`).
 */
export type OutputFormat = 'table' | 'compact' | 'csv' | 'json' | 'yaml' | 'sql';

/** The formats of `list` commands (`lxc list`, `lxc cluster list`, …). */
export const LIST_FORMATS: readonly OutputFormat[] = ['csv', 'json', 'table', 'yaml', 'compact'];

/** The formats of `sql` query results (`lxd sql`). */
export const SQL_FORMATS: readonly OutputFormat[] = ['sql', 'csv', 'json', 'table', 'yaml', 'compact'];

/** Checks a `--format` value against the formats a command accepts; anything else is an InvalidFormatError. */
export function parseOutputFormat(value: string, accepted: readonly OutputFormat[] = LIST_FORMATS): OutputFormat {
  const format = accepted.find((f) => f === value);
  if (format === undefined) throw new InvalidFormatError(value);
  return format;
}
