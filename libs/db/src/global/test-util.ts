/** Helpers for the global database specs. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Entry, EntryType } from '@app/raft';
import { encodeTx, type ReplicatedTx, type SqlParam } from './replicated-tx';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function txEntry(index: number, term: number, tx: ReplicatedTx, opts: { unchecked?: boolean } = {}): Entry {
  return { index, term, type: EntryType.Normal, data: encodeTx(tx, opts) };
}

export function sqlEntry(index: number, term: number, sql: string, ...params: SqlParam[]): Entry {
  return txEntry(index, term, { statements: [{ sql, params }] });
}

export function noopEntry(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(0) };
}

export function confChangeEntry(index: number, term: number): Entry {
  return { index, term, type: EntryType.ConfChange, data: new Uint8Array([1, 2, 3]) };
}

/** Numbers a list of transactions as consecutive entries from `first`. */
export function entriesOf(txs: ReplicatedTx[], first = 1, term = 1): Entry[] {
  return txs.map((tx, i) => txEntry(first + i, term, tx));
}
