import type { Shape } from './go-shapes';
import { rawOf, renderList } from './list-output';

/** A column of a list command: its header and what it shows of an item. */
export interface ListColumn<T> {
  name: string;
  data: (item: T) => string;
}

/** `items` as a list in `format`: a row of `columns` per item, the items themselves (of `shape`) for json and yaml. */
export function renderColumns<T>(
  format: string,
  columns: readonly ListColumn<T>[],
  items: readonly T[],
  shape: Shape,
): string {
  return renderList(
    format,
    columns.map((c) => c.name),
    items.map((i) => columns.map((c) => c.data(i))),
    rawOf(items, shape),
  );
}
