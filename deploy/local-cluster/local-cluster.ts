/**
 * The local Cubed cluster: members m1–m4 on 127.0.0.1–127.0.0.4, one port for all (8443 when it
 * is free), or with `netns` each in its own network namespace on 192.168.0.11–14:8443; each with
 * its CUBED_DIR, log and preseed in the state directory; cluster.json records each member and its
 * pid as soon as it is started.
 */
import * as fs from 'node:fs';
import { type BroughtUp, bringUpMembers, JOIN_ORDER, type MemberLauncher, type PlannedMember } from './bring-up';
import { type ClusterState, type StateLayout, writeClusterState } from './cluster-state';
import { initFromPreseed, startCubedDaemon } from './cubed-daemon';
import { createNetnsHosts, memberNetns, memberUnderlayAddress } from './netns-hosts';
import { choosePort } from './port-choice';
import type { RepoPaths } from './repo-paths';

export const LOCAL_MEMBER_NAMES: readonly string[] = ['m1', 'm2', 'm3', 'm4'];
const loopbackHostOf = (index: number): string => `127.0.0.${index + 1}`;
/** In `--netns` mode every member has the default port on its own address. */
const NETNS_PORT = 8443;

export interface LocalCluster extends BroughtUp {
  layout: StateLayout;
  state: ClusterState;
  port: number;
}

export interface LocalClusterOptions {
  repo: RepoPaths;
  layout: StateLayout;
  /** The claimed directory's initial state (see state-dir.ts). */
  state: ClusterState;
  port?: number;
  /** Each member in its own network namespace (netns-hosts.ts) instead of on a loopback address. */
  netns?: boolean;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Starts members with bin/cubed, detached, and initialises them with `cubed init --preseed <file>`. */
export function cubedLauncher(repo: RepoPaths, layout: StateLayout, netnsOf?: (name: string) => string): MemberLauncher {
  return {
    start: (m) => startCubedDaemon(repo, { name: m.name, dir: m.dir, log: m.log, ...(netnsOf ? { netns: netnsOf(m.name) } : {}) }),
    init: async (m, preseed, signal) => {
      const file = layout.preseedFile(m.name);
      fs.writeFileSync(file, preseed, { mode: 0o600 });
      await initFromPreseed(repo, { name: m.name, dir: m.dir, log: m.log }, file, signal);
    },
  };
}

export async function startLocalCluster(o: LocalClusterOptions): Promise<LocalCluster> {
  const { layout, state } = o;
  if (o.netns) {
    state.netns = createNetnsHosts(LOCAL_MEMBER_NAMES.length);
    writeClusterState(layout.dir, state);
  }
  const hostOf = o.netns ? memberUnderlayAddress : loopbackHostOf;
  const port = o.netns ? NETNS_PORT : await choosePort(LOCAL_MEMBER_NAMES.map((_, i) => hostOf(i)), o.port);
  state.port = port;
  writeClusterState(layout.dir, state);
  const planned: PlannedMember[] = LOCAL_MEMBER_NAMES.map((name, i) => ({
    name,
    address: `${hostOf(i)}:${port}`,
    dir: layout.memberDir(name),
    log: layout.logFile(name),
    joinBy: JOIN_ORDER[i],
  }));
  const netnsOf = o.netns ? (name: string) => memberNetns(LOCAL_MEMBER_NAMES.indexOf(name)) : undefined;
  const up = await bringUpMembers(planned, cubedLauncher(o.repo, layout, netnsOf), {
    trustPassword: state.trust_password,
    log: o.log,
    signal: o.signal,
    onStarted: (m, pid) => {
      state.members.push({ name: m.name, address: m.address, dir: m.dir, log: m.log, pid, joined_by: m.joinBy });
      writeClusterState(layout.dir, state);
    },
  });
  return { ...up, layout, state, port };
}
