/**
 * A 4-member LXD 5.0.2 cluster for comparison, set up as the reference figures were: one daemon
 * per network namespace (10.210.0.1–4, port 8443 each), bootstrapped and joined exactly like the
 * Cubed cluster (deploy/local-cluster/bring-up.ts: preseed bootstrap, two token joins, one trust
 * password join). Its removal (daemons, namespaces, directories) is registered before anything is
 * created, so an interrupted bring-up is cleaned up too; a failed one cleans up after itself.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BroughtUp, bringUpMembers, JOIN_ORDER, type MemberLauncher, type PlannedMember, type RunningMember } from '../../deploy/local-cluster/bring-up';
import { clusterMembers, databaseLeader } from '../../deploy/local-cluster/cluster-members-view';
import { waitUntilAnswering } from '../../deploy/local-cluster/cubed-daemon';
import { LxdApi } from '../../deploy/local-cluster/lxd-api';
import { isAlive, signal } from '../../deploy/local-cluster/process-control';
import type { ClusterUnderTest } from './cluster-under-test';
import { initLxdFromPreseed, LXD_BINARY, type LxdPlace, startLxdDaemon, stopLxdDaemon, unmountAll } from './lxd-daemon';
import { createNamespaceNetwork, removeOwnNamespaces } from './network-namespaces';
import type { TeardownStack } from './teardown-stack';

const MEMBER_COUNT = 4;
const PORT = 8443;

/** Why an LXD cluster cannot be set up here, or undefined if it can be tried. */
export function lxdUnavailableReason(): string | undefined {
  if (!fs.existsSync(LXD_BINARY)) return `${LXD_BINARY} is not installed (apt-get install -y lxd)`;
  if (process.getuid?.() !== 0) return 'LXD daemons and network namespaces need root';
  return undefined;
}

async function leaderFromMembers(members: RunningMember[]): Promise<string> {
  const reasons: string[] = [];
  for (const m of members.filter((x) => isAlive(x.pid))) {
    const api = new LxdApi(m.socketPath);
    try {
      const leader = databaseLeader(await clusterMembers(api, 5000));
      if (leader) return leader.server_name;
      reasons.push(`${m.name}: no database-leader`);
    } catch (err) {
      reasons.push(`${m.name}: ${(err as Error).message}`);
    } finally {
      api.close();
    }
  }
  throw new Error(`no LXD member reports a database-leader: ${reasons.join('; ')}`);
}

export async function startLxdCluster(root: string, teardowns: TeardownStack, log: (line: string) => void, abort?: AbortSignal): Promise<ClusterUnderTest> {
  const dir = path.join(root, 'lxd');
  const places = new Map<string, LxdPlace>();
  const pids = new Map<string, number>();
  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> =>
    (destroyed ??= (async () => {
      const problems: string[] = [];
      const stops = [...pids].filter(([, pid]) => isAlive(pid)).map(([name, pid]) => stopLxdDaemon(places.get(name)!, pid).catch((err: Error) => problems.push(err.message)));
      await Promise.all(stops);
      await removeOwnNamespaces().catch((err: Error) => problems.push(err.message));
      await unmountAll(dir).catch((err: Error) => problems.push(err.message));
      fs.rmSync(dir, { recursive: true, force: true });
      if (problems.length) throw new Error(`LXD cleanup: ${problems.join('; ')}`);
    })());
  teardowns.add('the LXD cluster', destroy);

  let up: BroughtUp;
  try {
    const network = await createNamespaceNetwork(MEMBER_COUNT);
    const planned: PlannedMember[] = network.members.map((ns, i) => {
      const name = `n${i + 1}`;
      const place: LxdPlace = { name, netns: ns.netns, dir: path.join(dir, name), log: path.join(dir, 'logs', `${name}.log`) };
      places.set(name, place);
      return { name, address: `${ns.ip}:${PORT}`, dir: place.dir, log: place.log, joinBy: JOIN_ORDER[i] };
    });
    const launcher: MemberLauncher = {
      start: (m) => startLxdDaemon(places.get(m.name)!),
      init: (m, preseed) => initLxdFromPreseed(places.get(m.name)!, preseed),
    };
    up = await bringUpMembers(planned, launcher, {
      trustPassword: crypto.randomBytes(12).toString('base64url'),
      log,
      signal: abort,
      onStarted: (m, pid) => pids.set(m.name, pid),
      readyTimeoutMs: 30_000,
      settleTimeoutMs: 60_000,
    });
  } catch (err) {
    await destroy().catch((cleanupErr: Error) => log(`cleanup after the failure: ${cleanupErr.message}`));
    throw err;
  }
  return {
    system: 'lxd',
    members: up.members,
    timings: up.timings,
    listMembersCommand: (m) => ({ file: 'lxc', args: ['cluster', 'list'], env: { ...process.env, LXD_DIR: m.dir } }),
    databaseLeader: () => leaderFromMembers(up.members),
    kill: (m) => signal(m.pid, 'SIGKILL'),
    restart: async (m) => {
      const place = places.get(m.name)!;
      m.pid = startLxdDaemon(place);
      pids.set(m.name, m.pid);
      await waitUntilAnswering(place, m.pid, 30_000);
    },
    destroy,
  };
}
