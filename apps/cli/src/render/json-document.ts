/** Characters lxc's JSON output writes as \u escapes: HTML specials and the JavaScript line terminators. */
const ESCAPED = /[<>&\u2028\u2029]/g;

/**
 * `raw` as one line of JSON followed by a newline, like lxc's `--format json`: `<`, `>`, `&`, U+2028 and U+2029
 * are written as `\u` escapes (these characters only occur inside strings, so the escapes keep the value), and a
 * missing value is `null`.
 */
export function jsonDocument(raw: unknown): string {
  const text = JSON.stringify(raw) ?? 'null';
  return text.replace(ESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
