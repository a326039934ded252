export { RaftLogStore, DEFAULT_SEGMENT_BYTES } from './raft-log-store';
export type { RaftLogStoreOptions, RaftSave } from './raft-log-store';
export { RaftStorageCorruptError } from './errors';
