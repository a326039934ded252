/**
 * Natural order of two strings, as lxc sorts names: runs of ASCII digits compare by their numeric value (`c2`
 * before `c10`; equal values with fewer leading zeros first), a digit sorts before any other character, and
 * other characters compare by code point. When one string is a prefix of the other, the shorter comes first.
 * Returns a negative number, zero or a positive number.
 */
export function compareNatural(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const xDigit = isDigit(x[i]);
    const yDigit = isDigit(y[j]);
    if (xDigit !== yDigit) return xDigit ? -1 : 1;
    if (!xDigit) {
      if (x[i] !== y[j]) return x[i].codePointAt(0)! - y[j].codePointAt(0)!;
      i++;
      j++;
      continue;
    }
    const xStart = i;
    const yStart = j;
    while (x[i] === '0') i++;
    while (y[j] === '0') j++;
    const xSignificant = i;
    const ySignificant = j;
    while (i < x.length && isDigit(x[i])) i++;
    while (j < y.length && isDigit(y[j])) j++;
    const xNumber = x.slice(xSignificant, i).join('');
    const yNumber = y.slice(ySignificant, j).join('');
    if (xNumber.length !== yNumber.length) return xNumber.length - yNumber.length;
    if (xNumber !== yNumber) return xNumber < yNumber ? -1 : 1;
    const xZeros = xSignificant - xStart;
    const yZeros = ySignificant - yStart;
    if (xZeros !== yZeros) return xZeros - yZeros;
  }
  return x.length - i - (y.length - j);
}

/**
 * The rows sorted the way lxc sorts list output: by the first column in which two rows differ, in natural order
 * (compareNatural), with an empty value after any non-empty one. Returns a new array; equal rows keep their order.
 */
export function sortRowsNaturally(rows: readonly (readonly string[])[]): string[][] {
  return rows.map((row) => [...row]).sort(compareRows);
}

function compareRows(a: readonly string[], b: readonly string[]): number {
  const width = Math.max(a.length, b.length);
  for (let k = 0; k < width; k++) {
    const x = a[k] ?? '';
    const y = b[k] ?? '';
    if (x === y) continue;
    if (x === '') return 1;
    if (y === '') return -1;
    return compareNatural(x, y);
  }
  return 0;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
