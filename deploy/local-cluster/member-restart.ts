/** Starting a stopped (or killed) member of the local cluster again on its state directory; cluster.json gets its new pid. */
import type { RunningMember } from './bring-up';
import { writeClusterState } from './cluster-state';
import { startCubedDaemon, waitUntilAnswering } from './cubed-daemon';
import type { LocalCluster } from './local-cluster';
import type { RepoPaths } from './repo-paths';

export async function restartMember(repo: RepoPaths, cluster: LocalCluster, member: RunningMember, readyTimeoutMs = 20_000): Promise<void> {
  const place = { name: member.name, dir: member.dir, log: member.log };
  member.pid = startCubedDaemon(repo, place);
  const recorded = cluster.state.members.find((m) => m.name === member.name);
  if (recorded) recorded.pid = member.pid;
  writeClusterState(cluster.layout.dir, cluster.state);
  await waitUntilAnswering(place, member.pid, readyTimeoutMs);
}
