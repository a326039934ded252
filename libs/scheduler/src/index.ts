/**
 * @app/scheduler — placement of instances on cluster members (choosing the target member for a
 * create or move when the request names none).
 */
export * from './types';
export * from './errors';
export { parseTarget } from './target';
export { memberLoads } from './member-load';
export type { MemberLoad } from './member-load';
export { selectCandidates } from './candidates';
export type { CandidateSelection } from './candidates';
export {
  memoryPressure,
  cpuPressure,
  resourceScores,
  DEFAULT_MEMORY_WEIGHT,
  DEFAULT_CPU_WEIGHT,
} from './resource-score';
export { rankCandidates } from './ranking';
export { placeInstance } from './placement';
export { placeInstances } from './placement-sequence';
