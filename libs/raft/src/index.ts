export * from './types';
export { RaftNode } from './raft-node';
export { encodeConfChange, decodeConfChange, applyConfChange } from './conf-change';
export { quorumIndex, majority } from './quorum';
