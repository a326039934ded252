/**
 * A column header the way lxc's `table` and `compact` output show it: underscores become spaces, and so do dots
 * next to anything but a digit or a space (`1.5` keeps its dot, `config.key` does not); the result is trimmed
 * (a header of only spaces keeps one) and upper-cased.
 */
export function headerTitle(header: string): string {
  const chars = [...header];
  const numberOrSpace = (c: string | undefined) => c !== undefined && /^[0-9 ]$/.test(c);
  const titled = chars
    .map((c, i) => {
      if (c === '_') return ' ';
      if (c !== '.') return c;
      const before = i > 0 && !numberOrSpace(chars[i - 1]);
      const after = i < chars.length - 1 && !numberOrSpace(chars[i + 1]);
      return before || after ? ' ' : c;
    })
    .join('')
    .trim();
  return (titled === '' && header !== '' ? ' ' : titled).toUpperCase();
}
