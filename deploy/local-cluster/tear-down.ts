/** Stopping every cubed daemon that runs on a state directory under a local cluster's directory, all at once. */
import * as path from 'node:path';
import { type StopOutcome, stopCubedDaemon } from './cubed-daemon';
import { findCubedDaemons } from './daemon-processes';
import type { RepoPaths } from './repo-paths';

export interface StoppedMember extends StopOutcome {
  member: string;
}

export async function stopAllDaemons(repo: RepoPaths, stateDir: string): Promise<StoppedMember[]> {
  const daemons = findCubedDaemons(stateDir);
  const results = await Promise.allSettled(daemons.map((d) => stopCubedDaemon(repo, d.pid, d.cubedDir)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length) throw new Error(`could not stop every daemon: ${failures.join('; ')}`);
  return results.map((r, i) => ({ member: path.relative(stateDir, daemons[i].cubedDir) || '.', ...(r as PromiseFulfilledResult<StopOutcome>).value }));
}
