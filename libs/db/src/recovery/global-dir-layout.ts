/**
 * Where ClusterDatabase keeps a member's global database inside its directory: the replica
 * (global.db) and the Raft log store (raft/).
 */
import * as path from 'node:path';

export const GLOBAL_DB_FILE = 'global.db';
export const RAFT_STORE_DIR = 'raft';

export function globalDbFile(globalDir: string): string {
  return path.join(globalDir, GLOBAL_DB_FILE);
}

export function raftStoreDir(globalDir: string): string {
  return path.join(globalDir, RAFT_STORE_DIR);
}
