/**
 * npm run bench:api — the LXD REST API of a 4-member Cubed cluster under load, and its failover,
 * in one run on this machine; optionally (--vs-lxd) the same against a 4-member LXD 5.0.2 cluster
 * in the same invocation.
 *
 * 1. A 4-member cluster (deploy/local-cluster: 127.0.0.1–4, 3 voters + 1 standby) in a temporary
 *    directory, removed at the end, also after a failure or an interrupt.
 * 2. The system's own client listing the members (`bin/cube cluster list`, `lxc cluster list`), 10
 *    times, each a new process timed from spawn to exit. Then over the unix socket of the database
 *    leader, then of a non-leader voter, closed-loop keep-alive clients (RawHttpConnection, no process
 *    per request), each load after a warm-up, and the first through each member after a 1-client
 *    POST load that runs until its rate settles (see --no-settle):
 *    POST /1.0/profiles (unique names) with 1 and with --clients clients, PATCH /1.0 (user.bench)
 *    with 1, GET /1.0/profiles/<x> (linearizable) with 1 and --clients, GET /1.0/cluster/members.
 * 3. --failovers times: kill -9 of the database leader (GET /internal/database: metadata.leader),
 *    timing the first successful write through a surviving voter (retried every 20 ms), a new
 *    database-leader, the killed member Offline and 3 voters Online again in
 *    GET /1.0/cluster/members?recursion=1; then the killed member is restarted and waited for.
 *    Each member's resident memory (VmRSS) is read 3 s after the bring-up and 10 s after the loads.
 * 4. --vs-lxd: steps 2–3 against LXD (one daemon per network namespace, bench/support/lxd-cluster.ts).
 * Prints one JSON line per measurement and a summary line: goals, ratios to LXD's reference
 * figures (labelled: not from this run) and, with --vs-lxd, Cubed/LXD ratios from this run.
 *   --duration <s>   measuring time per load (default 3)
 *   --warmup <s>     unmeasured time before each load (default 2: the daemons' code is compiled
 *                    and optimised as it runs, so the first second or so of a load is slower)
 *   --clients <n>    the concurrent-client count (default 16)
 *   --failovers <n>  failover runs per cluster (default 3)
 *   --vs-lxd         also measure LXD 5.0.2 (needs the lxd package and root)
 *   --no-settle      skip the unmeasured 1-client POST load that runs, through each measured
 *                    member, before its loads until its rate settles (bench/support/settle-load.ts)
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunningMember } from '../deploy/local-cluster/bring-up';
import { clusterMembers, isVoter } from '../deploy/local-cluster/cluster-members-view';
import { withBenchRun } from './support/bench-run';
import { LxdApi } from '../deploy/local-cluster/lxd-api';
import { sleep } from '../deploy/local-cluster/polling';
import { assertBuilt, findRepo } from '../deploy/local-cluster/repo-paths';
import { apiMetrics, loadKey, type SystemResults } from './support/api-metrics';
import { apiSummary, summaryTable, type SummaryInput } from './support/api-summary';
import { apiWorkloads, READ_PROFILE } from './support/api-workloads';
import { nonNegativeOption } from './support/option-number';
import type { ClusterUnderTest, ListMembersCommand } from './support/cluster-under-test';
import { runCommand } from './support/run-command';
import { startCubedCluster } from './support/cubed-cluster';
import { type FailoverSettings, measureFailover } from './support/failover';
import { runLoad } from './support/keepalive-load';
import { membersResidentMb } from './support/member-memory';
import { settleLoad } from './support/settle-load';
import { lxdUnavailableReason, startLxdCluster } from './support/lxd-cluster';
import { removeStaleNamespaces } from './support/network-namespaces';
import { TeardownStack } from './support/teardown-stack';

interface Options {
  durationMs: number;
  warmupMs: number;
  clients: number;
  failovers: number;
  vsLxd: boolean;
  settle: boolean;
}

/** Times the client's member list is run, as a new process each time. */
const LIST_COMMAND_RUNS = 10;
/** How long the members are left alone before their resident memory is read, after bring-up and after the loads. */
const IDLE_BEFORE_RSS_MS = { bringUp: 3000, afterLoads: 10_000 };

const emit = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
const log = (line: string): void => console.error(`bench:api: ${line}`);

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      clients: { type: 'string' },
      failovers: { type: 'string' },
      'vs-lxd': { type: 'boolean' },
      'no-settle': { type: 'boolean' },
    },
    allowPositionals: false,
  });
  return {
    durationMs: nonNegativeOption('duration', values.duration, 3) * 1000,
    warmupMs: nonNegativeOption('warmup', values.warmup, 2) * 1000,
    clients: Math.max(1, Math.round(nonNegativeOption('clients', values.clients, 16))),
    failovers: Math.round(nonNegativeOption('failovers', values.failovers, 3)),
    vsLxd: values['vs-lxd'] === true,
    settle: values['no-settle'] !== true,
  };
}

async function offlineThresholdMs(member: RunningMember): Promise<number> {
  const api = new LxdApi(member.socketPath);
  try {
    const server = await api.get<{ config?: Record<string, unknown> }>('/1.0', 5000);
    return Number(server.config?.['cluster.offline_threshold'] ?? 20) * 1000;
  } finally {
    api.close();
  }
}

interface MeasuredMembers {
  leader: RunningMember;
  'non-leader': RunningMember;
  roles: Record<string, string[]>;
}

/** The database leader and a voter that is not the leader, as the cluster reports them now. */
async function leaderAndVoter(cluster: ClusterUnderTest): Promise<MeasuredMembers> {
  const leaderName = await cluster.databaseLeader();
  const leader = cluster.members.find((m) => m.name === leaderName)!;
  const api = new LxdApi(leader.socketPath);
  try {
    const view = await clusterMembers(api, 5000);
    const voter = cluster.members.find((m) => m !== leader && view.some((v) => v.server_name === m.name && isVoter(v)));
    if (!voter) throw new Error(`no voter besides the leader ${leaderName}`);
    return { leader, 'non-leader': voter, roles: Object.fromEntries(view.map((v) => [v.server_name, v.roles])) };
  } finally {
    api.close();
  }
}

async function createReadProfile(member: RunningMember): Promise<void> {
  const api = new LxdApi(member.socketPath);
  try {
    await api.send('POST', '/1.0/profiles', { name: READ_PROFILE, description: 'read by bench:api', config: {}, devices: {} });
  } finally {
    api.close();
  }
}

async function measureLoads(cluster: ClusterUnderTest, o: Options, results: SystemResults): Promise<void> {
  const targets = await leaderAndVoter(cluster);
  emit({
    bench: 'api',
    system: cluster.system,
    what: 'members measured',
    leader: targets.leader.name,
    'non-leader': targets['non-leader'].name,
    roles: targets.roles,
  });
  await createReadProfile(targets.leader);
  for (const via of ['leader', 'non-leader'] as const) {
    const member = targets[via];
    const workloads = apiWorkloads(`${cluster.system}-${via}`, o.clients);
    if (o.settle) {
      // A tag of its own keeps the warm-up's profile names apart from the measured loads'.
      const w = apiWorkloads(`${cluster.system}-${via}-warmup`, 1)[0];
      log(`${cluster.system}: ${w.what}, ${w.clients} client(s), through the ${via} ${member.name}, unmeasured, until its rate settles`);
      const settled = await settleLoad({ socketPath: member.socketPath, clients: w.clients, expectStatus: w.expectStatus, next: w.next });
      emit({ bench: 'api', system: cluster.system, what: `warm-up: ${w.what}, req/s per second until settled`, via, member: member.name, clients: w.clients, ...settled });
    }
    for (const w of workloads) {
      log(`${cluster.system}: ${w.what}, ${w.clients} client(s), through the ${via} ${member.name}`);
      const r = await runLoad({ socketPath: member.socketPath, clients: w.clients, warmupMs: o.warmupMs, durationMs: o.durationMs, expectStatus: w.expectStatus, next: w.next });
      results.loads.set(loadKey(via, w.id, w.clients), r);
      emit({ bench: 'api', system: cluster.system, what: w.what, via, member: member.name, clients: w.clients, duration_s: o.durationMs / 1000, ...r });
    }
  }
  const leaderAfter = await cluster.databaseLeader();
  if (leaderAfter !== targets.leader.name) log(`${cluster.system}: the database leader moved from ${targets.leader.name} to ${leaderAfter} during the loads`);
}

async function measureFailovers(cluster: ClusterUnderTest, o: Options, thresholdMs: number, results: SystemResults, errors: string[]): Promise<void> {
  const settings: FailoverSettings = { writeRetryMs: 20, pollMs: 50, attemptTimeoutMs: 10_000, milestonesTimeoutMs: thresholdMs + 20_000, rejoinTimeoutMs: 90_000 };
  for (let run = 1; run <= o.failovers; run++) {
    log(`${cluster.system}: failover ${run}/${o.failovers}: kill -9 of the database leader`);
    try {
      const r = await measureFailover(cluster, run, settings);
      results.failovers.push(r);
      emit({ bench: 'api', system: cluster.system, what: 'failover: kill -9 of the database leader', write_retry_ms: settings.writeRetryMs, poll_ms: settings.pollMs, ...r });
    } catch (err) {
      const message = `${cluster.system} failover ${run}: ${(err as Error).message}`;
      errors.push(message);
      emit({ bench: 'api', system: cluster.system, what: 'failover: kill -9 of the database leader', run, error: (err as Error).message });
      return;
    }
  }
}

/** Runs the client's member list `runs` times through the first member; the whole-process times. */
async function measureListCommand(command: ListMembersCommand, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await runCommand(command.file, command.args, { env: command.env });
    times.push(Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10);
  }
  return times;
}

async function residentAfterIdle(cluster: ClusterUnderTest, idleMs: number): Promise<Record<string, number>> {
  await sleep(idleMs);
  return membersResidentMb(cluster.members);
}

async function measureSystem(cluster: ClusterUnderTest, o: Options, errors: string[]): Promise<SystemResults> {
  const results: SystemResults = { loads: new Map(), failovers: [], timings: cluster.timings, listCommandMs: [], idleResidentMb: {}, afterLoadsResidentMb: {} };
  emit({ bench: 'api', system: cluster.system, what: 'bring-up (start → socket answers; init preseed process)', members: cluster.timings });
  results.idleResidentMb = await residentAfterIdle(cluster, IDLE_BEFORE_RSS_MS.bringUp);
  emit({ bench: 'api', system: cluster.system, what: `daemon RSS (MB), idle ${IDLE_BEFORE_RSS_MS.bringUp / 1000} s after bring-up`, members: results.idleResidentMb });
  const list = cluster.listMembersCommand(cluster.members[0]);
  results.listCommandMs = await measureListCommand(list, LIST_COMMAND_RUNS);
  emit({ bench: 'api', system: cluster.system, what: `${path.basename(list.file)} ${list.args.join(' ')}, whole process`, member: cluster.members[0].name, runs_ms: results.listCommandMs });
  await measureLoads(cluster, o, results);
  results.afterLoadsResidentMb = await residentAfterIdle(cluster, IDLE_BEFORE_RSS_MS.afterLoads);
  emit({ bench: 'api', system: cluster.system, what: `daemon RSS (MB), idle ${IDLE_BEFORE_RSS_MS.afterLoads / 1000} s after the loads`, members: results.afterLoadsResidentMb });
  await measureFailovers(cluster, o, await offlineThresholdMs(cluster.members[0]), results, errors);
  return results;
}

async function measureLxd(root: string, o: Options, teardowns: TeardownStack, abort: AbortSignal, errors: string[]): Promise<SystemResults | { skipped: string }> {
  if (!o.vsLxd) return { skipped: 'not requested (run with --vs-lxd)' };
  const unavailable = lxdUnavailableReason();
  if (unavailable) {
    log(`--vs-lxd: ${unavailable}; continuing with Cubed only`);
    return { skipped: unavailable };
  }
  const stale = await removeStaleNamespaces();
  if (stale.length) log(`removed network namespaces left by an earlier run: ${stale.join(', ')}`);
  let cluster: ClusterUnderTest;
  try {
    log('starting a 4-member LXD 5.0.2 cluster, one daemon per network namespace');
    cluster = await startLxdCluster(root, teardowns, (line) => log(`lxd: ${line}`), abort);
  } catch (err) {
    if (abort.aborted) throw err;
    const why = `the LXD cluster could not be set up: ${(err as Error).message}`;
    log(`--vs-lxd: ${why}; continuing with Cubed only`);
    return { skipped: why };
  }
  const results = await measureSystem(cluster, o, errors);
  await cluster.destroy();
  return results;
}

async function main(): Promise<void> {
  const o = parseOptions();
  const repo = findRepo();
  assertBuilt(repo);
  await withBenchRun('cubed-bench-api-', log, async ({ root, teardowns, abort }) => {
    const errors: string[] = [];
    log(`starting a 4-member Cubed cluster in ${root}`);
    const cubedCluster = await startCubedCluster(repo, root, teardowns, (line) => log(`cubed: ${line}`), abort);
    const thresholdMs = await offlineThresholdMs(cubedCluster.members[0]);
    const cubed = await measureSystem(cubedCluster, o, errors);
    await cubedCluster.destroy();
    const lxd = await measureLxd(root, o, teardowns, abort, errors);
    const summary: SummaryInput = { metrics: apiMetrics(o.clients), cubed, offlineThresholdMs: thresholdMs, lxd };
    emit({ ...apiSummary(summary), errors });
    for (const line of summaryTable(summary)) console.error(line);
  });
}

main().catch((err: unknown) => {
  console.error(`bench:api failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
