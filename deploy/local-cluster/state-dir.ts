/**
 * Claiming a state directory for a new local cluster, and removing one. A directory is only ever
 * removed when it carries cluster.json (or is empty); a directory with daemons still running on
 * it is refused.
 */
import * as fs from 'node:fs';
import { type ClusterState, DEFAULT_STATE_DIR, isEmptyDir, isMarkedStateDir, STATE_KIND, type StateLayout, writeClusterState } from './cluster-state';
import { findCubedDaemons } from './daemon-processes';

export class ClusterStillRunning extends Error {
  constructor(dir: string, pids: number[]) {
    super(
      `a local cluster is still running in ${dir} (cubed pids ${pids.join(', ')}): stop it first with npm run cluster:down${dir === DEFAULT_STATE_DIR ? '' : ` (CUBED_CLUSTER_DIR=${dir})`}`,
    );
    this.name = 'ClusterStillRunning';
  }
}

export class ForeignDirectory extends Error {
  constructor(dir: string) {
    super(
      `${dir} exists, is not empty and was not made by the local cluster scripts (no cluster.json): choose another directory (--dir or CUBED_CLUSTER_DIR) or remove it yourself`,
    );
    this.name = 'ForeignDirectory';
  }
}

/**
 * Makes `layout.dir` ready for a new cluster and writes its initial cluster.json. A previous
 * cluster's directory whose daemons are all gone is removed first (`onStale` is told).
 */
export function claimStateDir(layout: StateLayout, trustPassword: string, onStale: (dir: string) => void): ClusterState {
  const { dir } = layout;
  if (fs.existsSync(dir)) {
    const running = findCubedDaemons(dir);
    if (running.length)
      throw new ClusterStillRunning(
        dir,
        running.map((d) => d.pid),
      );
    if (isMarkedStateDir(dir)) {
      onStale(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    } else if (!isEmptyDir(dir)) {
      throw new ForeignDirectory(dir);
    }
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  // Unprivileged containers reach their root filesystems through the members' directories.
  fs.chmodSync(dir, 0o711);
  for (const sub of ['logs', 'preseeds']) fs.mkdirSync(`${dir}/${sub}`, { mode: 0o700 });
  const state: ClusterState = { kind: STATE_KIND, created_at: new Date().toISOString(), trust_password: trustPassword, members: [] };
  writeClusterState(dir, state);
  return state;
}

/** Removes a state directory that is ours (or empty); refuses a foreign one. */
export function removeStateDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!isMarkedStateDir(dir) && !isEmptyDir(dir)) throw new ForeignDirectory(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
