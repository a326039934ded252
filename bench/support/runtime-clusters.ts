/**
 * The clusters bench:runtime launches containers on: bench:api's 4-member Cubed and LXD 5.0.2
 * clusters, in directories that unprivileged container roots can traverse (mode 0711, which LXC
 * requires of every directory above a root filesystem), each with the removal of its containers
 * registered as soon as it is up. That removal, run at the normal end, after a failure or on an
 * interrupt alike: `lxc delete -f` of every container that may still exist while the daemons
 * run; the daemons stopped; any container still running ended through its cgroups (containers
 * outlive their daemon) and what is mounted below the cluster's directory unmounted; then the
 * cluster's own removal (its directories, and LXD's network namespaces).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningMember } from '../../deploy/local-cluster/bring-up';
import { isAlive } from '../../deploy/local-cluster/process-control';
import type { RepoPaths } from '../../deploy/local-cluster/repo-paths';
import { stopAllDaemons } from '../../deploy/local-cluster/tear-down';
import type { ClusterUnderTest, SystemName } from './cluster-under-test';
import { startCubedCluster } from './cubed-cluster';
import { startLxdCluster } from './lxd-cluster';
import { unmountAll } from './lxd-daemon';
import { removeStaleNamespaces } from './network-namespaces';
import { endLeftoverContainers } from './runtime-container-cleanup';
import { lastLine, LxcCli } from './runtime-lxc-cli';
import type { TeardownStack } from './teardown-stack';

export interface RuntimeCluster {
  system: SystemName;
  cluster: ClusterUnderTest;
  /** Names of the containers that may exist: added before each launch, removed after a delete. */
  containers: Set<string>;
  /** Every container name used in this cluster (their cgroups are checked at the end). */
  names: Set<string>;
  /** The `lxc` client talking to this member. */
  cli(member: RunningMember): LxcCli;
  /** Removes the containers, then the cluster (once; also what the teardown runs). */
  finish(): Promise<void>;
}

export interface RuntimeClusterOptions {
  repo: RepoPaths;
  root: string;
  /** LXD_CONF of every `lxc` run. */
  clientConfigDir: string;
  teardowns: TeardownStack;
  log: (line: string) => void;
  abort: AbortSignal;
}

/** Where bench:api's cluster code keeps each system's directories below `root`. */
const clusterDirOf = (root: string, system: SystemName): string => path.join(root, system);

async function deleteRemaining(rc: Omit<RuntimeCluster, 'finish'>, log: (line: string) => void): Promise<void> {
  const member = rc.cluster.members.find((m) => isAlive(m.pid));
  if (!member || rc.containers.size === 0) return;
  const cli = rc.cli(member);
  for (const name of [...rc.containers]) {
    const r = await cli.run(['delete', '-f', name], { timeoutMs: 60_000 });
    if (r.code === 0 || /not found/i.test(r.stderr)) rc.containers.delete(name);
    else log(`${rc.system}: lxc delete -f ${name} during cleanup failed: ${lastLine(r.stderr)}`);
  }
}

export async function startRuntimeCluster(system: SystemName, o: RuntimeClusterOptions): Promise<RuntimeCluster> {
  const dir = clusterDirOf(o.root, system);
  fs.mkdirSync(dir, { mode: 0o711 });
  fs.chmodSync(dir, 0o711);
  const log = (line: string): void => o.log(`${system}: ${line}`);
  let cluster: ClusterUnderTest;
  if (system === 'cubed') {
    cluster = await startCubedCluster(o.repo, o.root, o.teardowns, log, o.abort);
  } else {
    const stale = await removeStaleNamespaces();
    if (stale.length) o.log(`removed network namespaces left by an earlier run: ${stale.join(', ')}`);
    cluster = await startLxdCluster(o.root, o.teardowns, log, o.abort);
  }
  const base = {
    system,
    cluster,
    containers: new Set<string>(),
    names: new Set<string>(),
    cli: (m: RunningMember) => new LxcCli(m.dir, o.clientConfigDir),
  };
  let finished: Promise<void> | undefined;
  const finish = (): Promise<void> =>
    (finished ??= (async () => {
      await deleteRemaining(base, log);
      // Cubed's daemons leave their containers running when they stop; `lxd shutdown` stops LXD's.
      if (system === 'cubed') await stopAllDaemons(o.repo, dir);
      else await cluster.destroy();
      const left = await endLeftoverContainers(
        base.names,
        cluster.members.map((m) => path.join(m.dir, 'containers')),
      );
      if (left.killed.length) log(`ended containers left running: ${left.killed.join(', ')}`);
      await unmountAll(dir);
      await cluster.destroy();
      if (left.problems.length) throw new Error(`${system} containers: ${left.problems.join('; ')}`);
    })());
  o.teardowns.add(`the ${system} containers`, finish);
  return { ...base, finish };
}
