/**
 * Helpers for the recovery specs: a member's global directory (raft/ and global.db) written entry
 * by entry, with a chosen commit index, replica position and snapshot, and a way to open it alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ConfChange, encodeConfChange, type Entry, EntryType, type Membership, Role } from '@app/raft';
import { ClusterDatabase } from '../cluster-database';
import { GlobalStateMachine } from '../global/global-state-machine';
import { encodeTx, type SqlParam } from '../global/replicated-tx';
import { RaftLogStore } from '../raft-storage/raft-log-store';
import { globalDbFile, raftStoreDir } from './global-dir-layout';
import { membershipInForce } from './membership-in-force';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function sqlEntry(index: number, term: number, sql: string, ...params: SqlParam[]): Entry {
  return { index, term, type: EntryType.Normal, data: encodeTx({ statements: [{ sql, params }] }) };
}

export function confEntry(index: number, term: number, cc: ConfChange): Entry {
  return { index, term, type: EntryType.ConfChange, data: encodeConfChange(cc) };
}

export const THREE_VOTERS: Membership = [
  { id: 1, role: Role.Voter },
  { id: 2, role: Role.Voter },
  { id: 3, role: Role.Voter },
];

/**
 * A log with committed and uncommitted writes and membership changes on both sides of the commit
 * index (8): rows r3..r6 and r8 are committed, r9, r11 and r13 are not; member 3 became a
 * stand-by at 7 (committed), member 2 a stand-by at 10 and was added again as a voter at 12 (not committed).
 */
export function mixedLog(): Entry[] {
  return [
    confEntry(1, 1, { kind: 'bootstrap', membership: THREE_VOTERS }),
    sqlEntry(2, 1, 'CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL)'),
    ...[3, 4, 5, 6].map((i) => sqlEntry(i, 1, 'INSERT INTO probe (id, v) VALUES (?, ?)', i, `r${i}`)),
    confEntry(7, 2, { kind: 'assign', id: 3, role: Role.Standby }),
    sqlEntry(8, 2, 'INSERT INTO probe (id, v) VALUES (?, ?)', 8, 'r8'),
    sqlEntry(9, 2, 'INSERT INTO probe (id, v) VALUES (?, ?)', 9, 'r9'),
    confEntry(10, 2, { kind: 'assign', id: 2, role: Role.Standby }),
    sqlEntry(11, 3, 'INSERT INTO probe (id, v) VALUES (?, ?)', 11, 'r11'),
    confEntry(12, 3, { kind: 'add', id: 2, role: Role.Voter }),
    sqlEntry(13, 3, 'INSERT INTO probe (id, v) VALUES (?, ?)', 13, 'r13'),
  ];
}

export interface MemberStoreSpec {
  entries: Entry[];
  commit: number;
  /** Index the replica has applied. */
  applied: number;
  term?: number;
  vote?: number;
  /** Take a snapshot at this index and compact the log up to `compactTo` (default: the snapshot). */
  snapshotAt?: number;
  compactTo?: number;
  /** Small segments spread the log over several files. */
  segmentBytes?: number;
}

/** Writes a member's global directory as the daemon would have left it. */
export function writeMemberStore(globalDir: string, spec: MemberStoreSpec): void {
  fs.mkdirSync(globalDir, { recursive: true });
  const store = RaftLogStore.open(raftStoreDir(globalDir), { segmentBytes: spec.segmentBytes });
  const sm = GlobalStateMachine.open(globalDbFile(globalDir));
  try {
    const last = spec.entries[spec.entries.length - 1];
    store.save({ hardState: { term: spec.term ?? last.term, vote: spec.vote ?? 0, commit: spec.commit }, entries: spec.entries });
    if (spec.snapshotAt !== undefined) {
      const at = spec.entries.find((e) => e.index === spec.snapshotAt)!;
      sm.apply(spec.entries.filter((e) => e.index <= at.index));
      const membership = membershipInForce({ entries: spec.entries.filter((e) => e.index <= at.index) });
      store.saveSnapshot({ meta: { index: at.index, term: at.term, membership }, data: sm.snapshot() });
      const base = spec.entries.find((e) => e.index === (spec.compactTo ?? at.index))!;
      store.save({ entries: [], compact: { index: base.index, term: base.term } });
    }
    sm.apply(spec.entries.filter((e) => e.index <= spec.applied));
  } finally {
    sm.close();
    store.close();
  }
}

/** Opens the member alone (no network, its only peer itself); ticks are slowed down by `tickMs`. */
export function openAlone(globalDir: string, id: number, tickMs = 10): Promise<ClusterDatabase> {
  return ClusterDatabase.open({ dir: globalDir, id, peers: [{ id, address: '', name: `m${id}` }], driver: { tickMs } });
}

/** Resolves once `cdb` leads, or rejects after `timeoutMs`. */
export async function waitForLeadership(cdb: ClusterDatabase, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cdb.driver.isLeader()) {
    if (Date.now() > deadline) throw new Error(`member ${cdb.driver.id} did not become leader within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every regular file of a directory tree with its content, to compare before and after. */
export function treeContents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of fs.readdirSync(d).sort()) {
      const p = path.join(d, n);
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}
