/**
 * For store tests: a real global database, migrated, that `Databases.global` reads and writes
 * directly (one member, no Raft): each write is applied as the next log entry, and a failed one
 * throws TxFailedError as the replicated database does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ConsistentReader, encodeTx, GlobalStateMachine, migrationTxs, type ProposedTx, type SqlParam, TxFailedError } from '@app/db';
import { EntryType } from '@app/raft';
import type { Databases } from '../database/databases';

export function directGlobalDatabase(prefix: string): { databases: Databases; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const sm = GlobalStateMachine.open(path.join(dir, 'global.db'));
  let index = 0;
  const apply = (tx: ProposedTx) => sm.apply([{ index: ++index, term: 1, type: EntryType.Normal, data: encodeTx(tx) }])[0];
  for (const tx of migrationTxs(0, new Date().toISOString())) apply(tx);
  const reader: ConsistentReader = { query: async (sql, params = []) => sm.query(sql, params) };
  const databases = {
    global: {
      read: <T>(fn: (r: ConsistentReader) => Promise<T>) => fn(reader),
      query: async (sql: string, params: readonly SqlParam[] = []) => sm.query(sql, params),
      stateMachine: sm,
      exec: async (tx: ProposedTx) => {
        const r = apply(tx);
        if (!r.ok) throw new TxFailedError(r.error, r.index);
        return r;
      },
    },
  } as unknown as Databases;
  return {
    databases,
    close: () => {
      sm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
