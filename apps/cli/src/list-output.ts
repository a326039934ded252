import { goYamlDocument } from './go-yaml';
import { toGoJson, toGoYaml, type Shape } from './go-shapes';
import { parseOutputFormat, renderTable, sortRowsNaturally } from './render';

/** What `--format json` and `--format yaml` print: lxc encodes one Go value with different rules for each. */
export interface RawOutput {
  json: unknown;
  yaml: unknown;
}

/** The raw output of API objects of a shape. */
export function rawOf(value: unknown, shape: Shape): RawOutput {
  return { json: toGoJson(value, shape), yaml: toGoYaml(value, shape) };
}

/**
 * A list in one of lxc's list formats (table, compact, csv, json, yaml): rows sorted the way lxc sorts them, the
 * raw value for json and yaml. An unknown format is an InvalidFormatError (after the data was fetched, as in lxc).
 */
export function renderList(
  format: string,
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  raw: RawOutput,
): string {
  const parsed = parseOutputFormat(format);
  if (parsed === 'yaml') return goYamlDocument(raw.yaml);
  return renderTable(parsed, columns, sortRowsNaturally(rows), raw.json);
}
