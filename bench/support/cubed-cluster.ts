/**
 * A Cubed cluster for bench:api: the local cluster of `npm run cluster:up` (deploy/local-cluster),
 * in a directory of its own under `root`, on the first port from 8443 that is free. Its removal
 * (every daemon on that directory, then the directory) is registered before anything is started.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { RunningMember } from '../../deploy/local-cluster/bring-up';
import { stateLayout } from '../../deploy/local-cluster/cluster-state';
import { LxdApi } from '../../deploy/local-cluster/lxd-api';
import { startLocalCluster } from '../../deploy/local-cluster/local-cluster';
import { restartMember } from '../../deploy/local-cluster/member-restart';
import { isAlive, signal } from '../../deploy/local-cluster/process-control';
import type { RepoPaths } from '../../deploy/local-cluster/repo-paths';
import { claimStateDir, removeStateDir } from '../../deploy/local-cluster/state-dir';
import { stopAllDaemons } from '../../deploy/local-cluster/tear-down';
import type { ClusterUnderTest } from './cluster-under-test';
import type { TeardownStack } from './teardown-stack';

interface DatabaseStatus {
  leader?: { id: number; address: string; name: string } | null;
}

/** GET /internal/database on the first member that answers: metadata.leader. */
async function leaderFromInternalDatabase(members: RunningMember[]): Promise<string> {
  const reasons: string[] = [];
  for (const m of members.filter((x) => isAlive(x.pid))) {
    const api = new LxdApi(m.socketPath);
    try {
      const status = await api.get<DatabaseStatus>('/internal/database', 5000);
      if (status.leader?.name) return status.leader.name;
      reasons.push(`${m.name}: no leader (${JSON.stringify(status.leader)})`);
    } catch (err) {
      reasons.push(`${m.name}: ${(err as Error).message}`);
    } finally {
      api.close();
    }
  }
  throw new Error(`no member reports a database leader: ${reasons.join('; ')}`);
}

export async function startCubedCluster(repo: RepoPaths, root: string, teardowns: TeardownStack, log: (line: string) => void, abort?: AbortSignal): Promise<ClusterUnderTest> {
  const layout = stateLayout(path.join(root, 'cubed'));
  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> =>
    (destroyed ??= (async () => {
      await stopAllDaemons(repo, layout.dir);
      removeStateDir(layout.dir);
    })());
  teardowns.add('the Cubed cluster', destroy);
  const state = claimStateDir(layout, crypto.randomBytes(12).toString('base64url'), () => undefined);
  const cluster = await startLocalCluster({ repo, layout, state, log, signal: abort });
  return {
    system: 'cubed',
    members: cluster.members,
    timings: cluster.timings,
    listMembersCommand: (m) => ({ file: repo.cube, args: ['cluster', 'list'], env: { ...process.env, CUBED_DIR: m.dir } }),
    databaseLeader: () => leaderFromInternalDatabase(cluster.members),
    kill: (m) => signal(m.pid, 'SIGKILL'),
    restart: (m) => restartMember(repo, cluster, m),
    destroy,
  };
}
