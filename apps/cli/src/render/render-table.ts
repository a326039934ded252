import { toCsv } from './csv';
import { jsonDocument } from './json-document';
import { LIST_FORMATS, OutputFormat, parseOutputFormat } from './output-format';
import { BORDERED_STYLE, COMPACT_STYLE, drawTextTable, SQL_RESULT_STYLE } from './text-table';
import { yamlDocument } from './yaml-document';

/**
 * Renders a list in one of the output formats and returns the text to print (it ends with a newline unless it
 * is empty). `columns` and `rows` feed the tabular formats (`table`, `compact`, `sql`; `csv` uses only the rows);
 * `raw` is what `json` and `yaml` print. Rows are printed in the order given (see sortRowsNaturally). A format
 * outside `accepted` (by default the list formats, LIST_FORMATS) throws InvalidFormatError.
 */
export function renderTable(
  format: string,
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  raw: unknown,
  accepted: readonly OutputFormat[] = LIST_FORMATS,
): string {
  switch (parseOutputFormat(format, accepted)) {
    case 'table':
      return drawTextTable(columns, rows, BORDERED_STYLE);
    case 'compact':
      return drawTextTable(columns, rows, COMPACT_STYLE);
    case 'sql':
      return drawTextTable(columns, rows, SQL_RESULT_STYLE);
    case 'csv':
      return toCsv(rows);
    case 'json':
      return jsonDocument(raw);
    case 'yaml':
      return yamlDocument(raw);
  }
}
