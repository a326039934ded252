/**
 * A replicated write guarded by the state its object had when it was read (a statement with
 * `expect`): when a guard fails, the object changed meanwhile and the answer is a 412 naming it,
 * which guardedWrite retries for a client that sent no If-Match.
 */
import { type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { preconditionFailed } from '../http/lxd-error';
import type { Databases } from './databases';

export async function execGuarded(databases: Databases, statements: SqlStatement<TxParam>[], what: string): Promise<void> {
  try {
    await databases.global.exec({ statements });
  } catch (err) {
    if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw preconditionFailed(`The ${what} changed since it was read (ETag mismatch): read it again`);
    throw err;
  }
}
