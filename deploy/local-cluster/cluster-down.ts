/**
 * npm run cluster:down [-- --dir <dir>]
 *
 * Stops every member of the local cluster in /tmp/cubed-local-cluster (or $CUBED_CLUSTER_DIR, or
 * --dir): `cubed shutdown`, else SIGTERM, else SIGKILL after a timeout; stops the members'
 * containers, removes the network namespaces of a `--netns` cluster, then the directory. Nothing
 * to stop and no directory is not an error.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { isMarkedStateDir, readClusterState, resolveStateDir } from './cluster-state';
import { cleanupMemberContainers } from './member-containers';
import { deleteNetnsHosts } from './netns-hosts';
import { findRepo } from './repo-paths';
import { ForeignDirectory, removeStateDir } from './state-dir';
import { stopAllDaemons } from './tear-down';

const say = (line: string): void => console.log(line);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' } }, allowPositionals: false });
  const dir = resolveStateDir(values.dir);
  if (!fs.existsSync(dir)) {
    say(`No local cluster in ${dir}: nothing to do`);
    return;
  }
  if (!isMarkedStateDir(dir) && fs.readdirSync(dir).length > 0) throw new ForeignDirectory(dir);
  const state = isMarkedStateDir(dir) ? readClusterState(dir) : undefined;
  const stopped = await stopAllDaemons(findRepo(), dir);
  if (stopped.length === 0) say(`No member of the local cluster in ${dir} is running`);
  for (const s of stopped) say(`${s.member} (pid ${s.pid}): stopped by ${s.method} in ${(s.ms / 1000).toFixed(1)} s${s.note ? ` (${s.note})` : ''}`);
  for (const m of state?.members ?? []) cleanupMemberContainers(m.dir);
  if (state?.netns?.length) {
    deleteNetnsHosts(state.netns);
    say(`Removed the network namespaces ${state.netns.join(', ')}`);
  }
  removeStateDir(dir);
  say(`Removed ${dir}`);
}

main().catch((err: unknown) => {
  console.error(`cluster:down: ${(err as Error).message}`);
  process.exit(1);
});
