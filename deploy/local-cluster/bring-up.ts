/**
 * Bringing up a 4-member cluster the way an operator would, whatever starts the daemons (see
 * MemberLauncher): member 1 starts and bootstraps the cluster from a preseed (its address and a
 * trust password); members 2 and 3 start and join with join tokens that member 1 issues; member 4
 * starts and joins with the trust password and the cluster certificate. Then it waits until the
 * roles have settled (3 voters, 1 standby, all Online). Each step's duration is measured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type JoinKind, socketPathOf } from './cluster-state';
import { clusterMembers, describeMembers, FOUR_MEMBER_ROLES, type MemberView, rolesSettled } from './cluster-members-view';
import { waitUntilAnswering } from './cubed-daemon';
import { requestJoinToken } from './join-token';
import { LxdApi } from './lxd-api';
import { nowMs, pollUntil } from './polling';
import { bootstrapPreseed, passwordJoinPreseed, tokenJoinPreseed } from './preseeds';

/** The order members come up in and how each one enters the cluster. */
export const JOIN_ORDER: readonly JoinKind[] = ['bootstrap', 'token', 'token', 'trust password'];

export interface PlannedMember {
  name: string;
  /** host:port of its cluster and HTTPS API. */
  address: string;
  /** Its state directory (CUBED_DIR or LXD_DIR); the unix socket is <dir>/unix.socket. */
  dir: string;
  log: string;
  joinBy: JoinKind;
}

export interface RunningMember extends PlannedMember {
  pid: number;
  socketPath: string;
}

/** How a member's daemon is started and given its preseed. */
export interface MemberLauncher {
  /** Starts the daemon; its pid. */
  start(member: PlannedMember): number;
  /** Applies an init preseed to the running daemon. */
  init(member: PlannedMember, preseed: string, signal?: AbortSignal): Promise<void>;
}

export interface MemberTimings {
  member: string;
  joined_by: JoinKind;
  /** From starting the daemon until its socket answered GET /1.0. */
  start_to_ready_ms: number;
  /** Applying the preseed: the whole init process. */
  init_ms: number;
}

export interface BroughtUp {
  members: RunningMember[];
  timings: MemberTimings[];
  /** From the last join until 3 voters and 1 standby were Online. */
  settle_ms: number;
}

export interface BringUpOptions {
  trustPassword: string;
  log: (line: string) => void;
  /** Told each pid as soon as the daemon is started (before it answers). */
  onStarted?: (member: PlannedMember, pid: number) => void;
  readyTimeoutMs?: number;
  settleTimeoutMs?: number;
  /** Once aborted, no further member is started or initialised. */
  signal?: AbortSignal;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

async function preseedFor(member: PlannedMember, first: RunningMember | undefined, trustPassword: string): Promise<string> {
  if (member.joinBy === 'bootstrap') return bootstrapPreseed({ serverName: member.name, address: member.address, trustPassword });
  if (!first) throw new Error(`${member.name} cannot join before the bootstrap member is up`);
  if (member.joinBy === 'token') {
    const api = new LxdApi(first.socketPath);
    try {
      return tokenJoinPreseed({ serverName: member.name, address: member.address, token: await requestJoinToken(api, member.name) });
    } finally {
      api.close();
    }
  }
  const clusterCertificate = fs.readFileSync(path.join(first.dir, 'cluster.crt'), 'utf8');
  return passwordJoinPreseed({ serverName: member.name, address: member.address, clusterAddress: first.address, clusterCertificate, trustPassword });
}

export async function waitForSettledRoles(socketPath: string, timeoutMs: number): Promise<MemberView[]> {
  const api = new LxdApi(socketPath);
  let last: MemberView[] = [];
  try {
    return await pollUntil(
      'roles settled (4 members Online: 3 voters, 1 standby)',
      timeoutMs,
      100,
      async () => {
        last = await clusterMembers(api, 5000);
        return rolesSettled(last, FOUR_MEMBER_ROLES) ? last : undefined;
      },
      () => describeMembers(last),
    );
  } finally {
    api.close();
  }
}

function describeJoin(joinBy: JoinKind): string {
  if (joinBy === 'bootstrap') return 'bootstrapped the cluster';
  return joinBy === 'token' ? 'joined with a join token' : 'joined with the trust password';
}

/** Brings up `planned` (in JOIN_ORDER) with `launcher`. On failure the started daemons keep running: the caller stops them. */
export async function bringUpMembers(planned: PlannedMember[], launcher: MemberLauncher, o: BringUpOptions): Promise<BroughtUp> {
  const members: RunningMember[] = [];
  const timings: MemberTimings[] = [];
  for (const member of planned) {
    o.signal?.throwIfAborted();
    const started = nowMs();
    const pid = launcher.start(member);
    o.onStarted?.(member, pid);
    await waitUntilAnswering({ name: member.name, dir: member.dir, log: member.log }, pid, o.readyTimeoutMs ?? 20_000);
    const readyMs = nowMs() - started;
    const preseed = await preseedFor(member, members[0], o.trustPassword);
    o.signal?.throwIfAborted();
    const initStart = nowMs();
    await launcher.init(member, preseed, o.signal);
    const initMs = nowMs() - initStart;
    members.push({ ...member, pid, socketPath: socketPathOf(member.dir) });
    timings.push({ member: member.name, joined_by: member.joinBy, start_to_ready_ms: round(readyMs), init_ms: round(initMs) });
    o.log(`${member.name} ${member.address} (pid ${pid}): ready in ${(readyMs / 1000).toFixed(2)} s, ${describeJoin(member.joinBy)} in ${(initMs / 1000).toFixed(2)} s`);
  }
  const settleStart = nowMs();
  const view = await waitForSettledRoles(members[0].socketPath, o.settleTimeoutMs ?? 30_000);
  const settleMs = nowMs() - settleStart;
  o.log(`roles settled in ${(settleMs / 1000).toFixed(2)} s: ${describeMembers(view)}`);
  return { members, timings, settle_ms: round(settleMs) };
}
