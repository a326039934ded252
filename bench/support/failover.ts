/**
 * One failover measurement: SIGKILL of the database leader's process, then, from the moment of
 * the kill, through a surviving voter:
 * - the first successful POST /1.0/profiles, retried the way a client would (each failed attempt
 *   is followed by a short pause and a new attempt; an attempt that blocks counts once);
 * - in GET /1.0/cluster/members?recursion=1 (polled): a new database-leader, the killed member
 *   shown Offline, and 3 voters (role `database`) Online again among the survivors.
 * Then the killed member is started again and it is waited for until it is Online and the roles
 * have settled again (3 voters, 1 standby), so that the next run starts from the same shape.
 */
import type { RunningMember } from '../../deploy/local-cluster/bring-up';
import {
  clusterMembers,
  databaseLeader,
  describeMembers,
  FOUR_MEMBER_ROLES,
  isOnline,
  isVoter,
  type MemberView,
  rolesSettled,
} from '../../deploy/local-cluster/cluster-members-view';
import { LxdApi } from '../../deploy/local-cluster/lxd-api';
import { nowMs, pollUntil, sleep } from '../../deploy/local-cluster/polling';
import { UnixHttpClient } from '../../deploy/local-cluster/unix-http-client';
import type { ClusterUnderTest } from './cluster-under-test';

export interface FailoverSettings {
  /** Pause between failed write attempts. */
  writeRetryMs: number;
  /** Pause between member list polls. */
  pollMs: number;
  /** A write attempt that has no answer after this long is given up (and counted as failed). */
  attemptTimeoutMs: number;
  /** How long to wait for all milestones after the kill. */
  milestonesTimeoutMs: number;
  /** How long the restarted member may take to be Online with the roles settled again. */
  rejoinTimeoutMs: number;
}

export interface FailoverResult {
  run: number;
  killed: string;
  writes_via: string;
  first_write_ms: number | null;
  write_attempts: number;
  write_errors: { error: string; count: number }[];
  new_leader_ms: number | null;
  new_leader: string | null;
  killed_offline_ms: number | null;
  /** When the last request was sent whose answer did not show it Offline yet: it turned Offline after that. */
  killed_not_offline_ms: number | null;
  voters_again_ms: number | null;
  promoted: string[];
  restart_ready_ms: number;
  rejoined_settled_ms: number;
  rejoined_roles: string[];
}

const MAX_DISTINCT_ERRORS = 8;
const round = (ms: number): number => Math.round(ms * 10) / 10;

/** The `error` of an LXD error envelope, else the body itself. */
function lxdErrorOf(body: string): string {
  try {
    const envelope = JSON.parse(body) as { error?: unknown };
    if (typeof envelope.error === 'string' && envelope.error !== '') return envelope.error;
  } catch {
    // not JSON: the body as it is
  }
  return body;
}

interface WriteOutcome {
  ms: number | null;
  attempts: number;
  errors: Map<string, number>;
}

async function firstSuccessfulWrite(http: UnixHttpClient, namePrefix: string, t0: number, deadline: number, s: FailoverSettings): Promise<WriteOutcome> {
  const errors = new Map<string, number>();
  const note = (e: string): void => {
    const key = e.slice(0, 200);
    if (errors.has(key) || errors.size < MAX_DISTINCT_ERRORS) errors.set(key, (errors.get(key) ?? 0) + 1);
  };
  for (let attempt = 1; nowMs() < deadline; attempt++) {
    try {
      const reply = await http.request('POST', '/1.0/profiles', { name: `${namePrefix}-${attempt}` }, s.attemptTimeoutMs);
      if (reply.status === 201) return { ms: nowMs() - t0, attempts: attempt, errors };
      note(`HTTP ${reply.status}: ${lxdErrorOf(reply.body)}`);
    } catch (err) {
      note((err as Error).message);
    }
    if (nowMs() >= deadline) return { ms: null, attempts: attempt, errors };
    await sleep(s.writeRetryMs);
  }
  return { ms: null, attempts: 0, errors };
}

interface Milestones {
  newLeaderMs: number | null;
  newLeader: string | null;
  offlineMs: number | null;
  notOfflineMs: number | null;
  votersMs: number | null;
  voters: string[];
}

async function watchMembers(api: LxdApi, killed: string, t0: number, deadline: number, pollMs: number): Promise<Milestones> {
  const m: Milestones = { newLeaderMs: null, newLeader: null, offlineMs: null, notOfflineMs: null, votersMs: null, voters: [] };
  while ((m.newLeaderMs === null || m.offlineMs === null || m.votersMs === null) && nowMs() < deadline) {
    let view: MemberView[] | undefined;
    const asked = nowMs() - t0;
    try {
      view = await clusterMembers(api, 5000);
    } catch {
      view = undefined; // no answer during the election is expected; poll again
    }
    const at = nowMs() - t0;
    if (view) {
      const leader = databaseLeader(view);
      if (m.newLeaderMs === null && leader && leader.server_name !== killed) {
        m.newLeaderMs = at;
        m.newLeader = leader.server_name;
      }
      if (m.offlineMs === null) {
        if (view.find((x) => x.server_name === killed)?.status === 'Offline') m.offlineMs = at;
        else m.notOfflineMs = asked;
      }
      const liveVoters = view.filter((x) => x.server_name !== killed && isOnline(x) && isVoter(x));
      if (m.votersMs === null && liveVoters.length >= 3) {
        m.votersMs = at;
        m.voters = liveVoters.map((x) => x.server_name);
      }
    }
    await sleep(pollMs);
  }
  return m;
}

export async function measureFailover(cluster: ClusterUnderTest, run: number, s: FailoverSettings): Promise<FailoverResult> {
  const leaderName = await cluster.databaseLeader();
  const killed = cluster.members.find((m) => m.name === leaderName);
  if (!killed) throw new Error(`the database leader "${leaderName}" is not one of ${cluster.members.map((m) => m.name).join(', ')}`);
  const survivors = cluster.members.filter((m) => m !== killed);
  const probe = new LxdApi(survivors[0].socketPath);
  let before: MemberView[];
  try {
    before = await clusterMembers(probe, 5000);
  } finally {
    probe.close();
  }
  const votersBefore = before.filter(isVoter).map((m) => m.server_name);
  const writer: RunningMember = survivors.find((m) => votersBefore.includes(m.name)) ?? survivors[0];
  const http = new UnixHttpClient(writer.socketPath, 1);
  const observer = new LxdApi(writer.socketPath);
  const namePrefix = `failover-${cluster.system}-${run}-${Date.now()}`;
  try {
    const warm = await http.request('POST', '/1.0/profiles', { name: `${namePrefix}-before` });
    if (warm.status !== 201) throw new Error(`a write before the kill failed: HTTP ${warm.status}: ${warm.body.slice(0, 300)}`);

    cluster.kill(killed);
    const t0 = nowMs();
    const deadline = t0 + s.milestonesTimeoutMs;
    const [write, seen] = await Promise.all([firstSuccessfulWrite(http, namePrefix, t0, deadline, s), watchMembers(observer, killed.name, t0, deadline, s.pollMs)]);

    const restartStart = nowMs();
    await cluster.restart(killed);
    const readyMs = nowMs() - restartStart;
    let last: MemberView[] = [];
    const settled = await pollUntil(
      `${killed.name} back and the roles settled`,
      s.rejoinTimeoutMs,
      s.pollMs,
      async () => {
        last = await clusterMembers(observer, 5000);
        return rolesSettled(last, FOUR_MEMBER_ROLES) ? last : undefined;
      },
      () => describeMembers(last),
    );
    const settledMs = nowMs() - restartStart;
    return {
      run,
      killed: killed.name,
      writes_via: writer.name,
      first_write_ms: write.ms === null ? null : round(write.ms),
      write_attempts: write.attempts,
      write_errors: [...write.errors].map(([error, count]) => ({ error, count })),
      new_leader_ms: seen.newLeaderMs === null ? null : round(seen.newLeaderMs),
      new_leader: seen.newLeader,
      killed_offline_ms: seen.offlineMs === null ? null : round(seen.offlineMs),
      killed_not_offline_ms: seen.notOfflineMs === null ? null : round(seen.notOfflineMs),
      voters_again_ms: seen.votersMs === null ? null : round(seen.votersMs),
      promoted: seen.voters.filter((v) => !votersBefore.includes(v)),
      restart_ready_ms: round(readyMs),
      rejoined_settled_ms: round(settledMs),
      rejoined_roles: settled.find((m) => m.server_name === killed.name)?.roles ?? [],
    };
  } finally {
    http.close();
    observer.close();
  }
}
