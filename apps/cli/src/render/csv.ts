/** Leading characters that make lxc's CSV writer quote a field (Unicode White_Space). */
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/**
 * The rows as CSV (RFC 4180 quoting), one record per row, each ended by `\n` like lxc's output, and no header.
 * A field is quoted when it contains a comma, a double quote, CR or LF, when it starts with white space, or when
 * it is `\.`; quotes inside are doubled and line breaks kept as they are. Empty fields are not quoted.
 */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',') + '\n').join('');
}

function csvField(field: string): string {
  const quoted = field !== '' && (/[",\r\n]/.test(field) || LEADING_SPACE.test(field) || field === '\\.');
  return quoted ? `"${field.replace(/"/g, '""')}"` : field;
}
