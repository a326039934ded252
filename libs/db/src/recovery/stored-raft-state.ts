/**
 * Reading positions out of a member's stored Raft state (what RaftLogStore.load() returns).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PersistedState } from '@app/raft';
import { HARD_STATE_FILE } from '../raft-storage/hard-state-file';
import { NoRaftStateError } from './errors';
import { raftStoreDir } from './global-dir-layout';

export interface LogPosition {
  index: number;
  term: number;
}

/** The Raft store directory of `globalDir`; throws NoRaftStateError when it holds no hard state. */
export function existingRaftStoreDir(globalDir: string): string {
  const dir = raftStoreDir(globalDir);
  if (!fs.existsSync(path.join(dir, HARD_STATE_FILE))) {
    throw new NoRaftStateError(`${dir} holds no Raft state (no ${HARD_STATE_FILE})`);
  }
  return dir;
}

/** Index and term of the last stored entry, or of the snapshot when the log holds nothing after it. */
export function lastLogPosition(st: PersistedState): LogPosition {
  const last = st.entries[st.entries.length - 1];
  if (last) return { index: last.index, term: last.term };
  if (st.snapshot && st.snapshot.meta.index >= st.logBase.index) return { index: st.snapshot.meta.index, term: st.snapshot.meta.term };
  return { ...st.logBase };
}

/** The term of the entry at `index`, as far as the stored state knows it. */
export function termAt(st: PersistedState, index: number): number | undefined {
  const e = st.entries[index - st.logBase.index - 1];
  if (e && e.index === index) return e.term;
  if (st.snapshot && st.snapshot.meta.index === index) return st.snapshot.meta.term;
  if (index === st.logBase.index) return st.logBase.term;
  return undefined;
}

/** Whether the store holds neither an entry nor a snapshot (a member that never received the log). */
export function holdsNoLog(st: PersistedState): boolean {
  return st.entries.length === 0 && !st.snapshot && st.logBase.index === 0;
}

/** Whether `globalDir` holds Raft state (its raft/ directory has a hard-state file). */
export function hasRaftState(globalDir: string): boolean {
  return fs.existsSync(path.join(raftStoreDir(globalDir), HARD_STATE_FILE));
}
