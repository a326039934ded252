/**
 * The guard of a replicated write that replaces an object's description and global config (the
 * config rows with node_id NULL): a statement that finds the object only while its description and
 * global config are exactly the expected ones (as they were read, or as this member last wrote
 * them). With `expect: 1`, a transaction that starts with it fails as a whole once another writer
 * changed them.
 */
import type { SqlStatement, TxParam } from '@app/db';
import { storedEntries } from './stored-config';

export interface ConfigTables {
  /** The objects' table (with `id` and `description`). */
  table: string;
  /** Its config table (with `key`, `value` and `node_id`). */
  configTable: string;
  /** The config table's column that holds the object's id. */
  idColumn: string;
}

export function globalConfigUnchanged(tables: ConfigTables, expected: { id: number; description: string; config: Readonly<Record<string, string>> }): SqlStatement<TxParam> {
  const entries = storedEntries(expected.config);
  const own = `FROM ${tables.configTable} c WHERE c.${tables.idColumn} = o.id AND c.node_id IS NULL`;
  const matching = entries.length === 0 ? '' : ` AND (SELECT count(*) ${own} AND (c.key, c.value) IN (VALUES ${entries.map(() => '(?, ?)').join(', ')})) = ?`;
  return {
    sql: `SELECT 1 FROM ${tables.table} o WHERE o.id = ? AND o.description = ? AND (SELECT count(*) ${own}) = ?${matching}`,
    params: [expected.id, expected.description, entries.length, ...entries.flat(), ...(entries.length === 0 ? [] : [entries.length])],
    expect: 1,
  };
}
