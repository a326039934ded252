/** Output formats of the `cube` list commands (`--format table|compact|csv|json|yaml`, and `sql` for queries). */
export { renderTable } from './render-table';
export { LIST_FORMATS, SQL_FORMATS, parseOutputFormat } from './output-format';
export type { OutputFormat } from './output-format';
export { InvalidFormatError } from './invalid-format-error';
export { sortRowsNaturally, compareNatural } from './natural-sort';
export { drawTextTable, BORDERED_STYLE, COMPACT_STYLE, SQL_RESULT_STYLE } from './text-table';
export type { TableStyle } from './text-table';
export { displayWidth } from './display-width';
export { headerTitle } from './header-title';
export { toCsv } from './csv';
export { jsonDocument } from './json-document';
export { yamlDocument } from './yaml-document';
