import { displayWidth } from './display-width';
import { headerTitle } from './header-title';

/** How a text table is drawn. */
export interface TableStyle {
  /** `+---+` lines and `|` separators around every cell; without them columns are set apart by spaces only. */
  borders: boolean;
  /** With borders: a line after every row (else only after the header and at the end). */
  rowLines: boolean;
  /** Headers shown through headerTitle (upper-cased, `_` as space). */
  titleHeaders: boolean;
}

/** `lxc ... list --format table`. */
export const BORDERED_STYLE: TableStyle = { borders: true, rowLines: true, titleHeaders: true };
/** `lxc ... list --format compact`. */
export const COMPACT_STYLE: TableStyle = { borders: false, rowLines: false, titleHeaders: true };
/** `lxd sql --format sql`. */
export const SQL_RESULT_STYLE: TableStyle = { borders: true, rowLines: false, titleHeaders: false };

/**
 * Draws a table as lxc does (every line ends with a newline):
 *
 *     +------+-------------------------+        NAME            URL
 *     | NAME |           URL           |        n1    https://10.0.0.1:8443
 *     +------+-------------------------+
 *     | n1   | https://10.0.0.1:8443   |     (compact: two spaces before and after every column,
 *     +------+-------------------------+      trailing spaces kept)
 *
 * Headers are centred (an odd leftover space goes to the right), cells left-aligned; each cell has one space of
 * padding on both sides. A cell containing line breaks spans several lines, the other cells of its row are blank
 * on the extra lines. Column widths are display widths (see displayWidth), so wide characters line up. A row
 * with fewer cells than there are columns is completed with empty cells; a row with more adds columns without a
 * header. A table without columns is the empty string. Without row lines the closing line is drawn even when
 * there are no rows, right under the header's line, as lxd sql does.
 */
export function drawTextTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  style: TableStyle,
): string {
  const count = rows.reduce((n, row) => Math.max(n, row.length), columns.length);
  if (count === 0) return '';
  const header = measuredRow(
    Array.from({ length: count }, (_, i) => (style.titleHeaders ? headerTitle(columns[i] ?? '') : (columns[i] ?? ''))),
  );
  const body = rows.map((row) => measuredRow(Array.from({ length: count }, (_, i) => row[i] ?? '')));

  const widths = new Array<number>(count).fill(0);
  for (const row of [header, ...body]) {
    row.forEach((cell, i) => {
      for (const l of cell) widths[i] = Math.max(widths[i], l.width);
    });
  }

  const out: string[] = [];
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const join = (cells: string[]) => (style.borders ? `| ${cells.join(' | ')} |` : `  ${cells.join('  ')}  `);
  const emit = (row: MeasuredLine[][], align: (line: MeasuredLine, width: number) => string) => {
    const height = row.reduce((h, cell) => Math.max(h, cell.length), 0);
    for (let l = 0; l < height; l++) out.push(join(row.map((cell, i) => align(cell[l] ?? BLANK, widths[i]))));
  };

  if (style.borders) out.push(rule);
  emit(header, center);
  if (style.borders) out.push(rule);
  for (const row of body) {
    emit(row, left);
    if (style.borders && style.rowLines) out.push(rule);
  }
  if (style.borders && !style.rowLines) out.push(rule);
  return out.map((l) => l + '\n').join('');
}

/** One line of a cell with its display width. */
interface MeasuredLine {
  text: string;
  width: number;
}

const BLANK: MeasuredLine = { text: '', width: 0 };

function measuredRow(cells: readonly string[]): MeasuredLine[][] {
  return cells.map((cell) => cell.split(/\r?\n/).map((text) => ({ text, width: displayWidth(text) })));
}

function left(line: MeasuredLine, width: number): string {
  return line.text + ' '.repeat(Math.max(0, width - line.width));
}

function center(line: MeasuredLine, width: number): string {
  const gap = Math.max(0, width - line.width);
  const before = Math.floor(gap / 2);
  return ' '.repeat(before) + line.text + ' '.repeat(gap - before);
}
