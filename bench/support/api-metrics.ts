/**
 * The figures bench:api compares: each names where in a system's results it comes from (a load
 * through the leader or the non-leader, the failover runs, the bring-up) and which way is better.
 */
import type { MemberTimings } from '../../deploy/local-cluster/bring-up';
import type { WorkloadId } from './api-workloads';
import type { FailoverResult } from './failover';
import type { LoadResult } from './keepalive-load';

export type Via = 'leader' | 'non-leader';

export interface SystemResults {
  /** Keyed by loadKey(). */
  loads: Map<string, LoadResult>;
  failovers: FailoverResult[];
  timings: MemberTimings[];
  /** Whole-process times (ms) of the client listing the members, one per run. */
  listCommandMs: number[];
  /** Each member's resident memory (MB) once the cluster is up and idle, by member name. */
  idleResidentMb: Record<string, number>;
  /** The same after the loads, once they have been idle again for a while. */
  afterLoadsResidentMb: Record<string, number>;
}

export const loadKey = (via: Via, workload: WorkloadId, clients: number): string => `${via}/${workload}/${clients}`;

export interface Metric {
  key: string;
  label: string;
  unit: 'req/s' | 'ms' | 'MB';
  better: 'higher' | 'lower';
  /** Loads are measured through both the leader and a non-leader; the other metrics are per cluster. */
  perVia: boolean;
  /** The figure; null when it was measured but never reached (a failover milestone), undefined when not measured in this run. */
  pick(r: SystemResults, via: Via): number | null | undefined;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const loadMetric = (workload: WorkloadId, clients: number, field: 'req_per_s' | 'p50_ms' | 'p99_ms', label: string): Metric => ({
  key: `${workload}/${clients}:${field}`,
  label,
  unit: field === 'req_per_s' ? 'req/s' : 'ms',
  better: field === 'req_per_s' ? 'higher' : 'lower',
  perVia: true,
  pick: (r, via) => r.loads.get(loadKey(via, workload, clients))?.[field],
});

/** The median over the failover runs; a run that never reached the milestone makes the metric null. */
const failoverMetric = (
  field: 'first_write_ms' | 'new_leader_ms' | 'killed_offline_ms' | 'voters_again_ms' | 'restart_ready_ms' | 'rejoined_settled_ms',
  label: string,
): Metric => ({
  key: `failover:${field}`,
  label,
  unit: 'ms',
  better: 'lower',
  perVia: false,
  pick: (r) => {
    const values = r.failovers.map((f) => f[field]);
    if (values.length === 0) return undefined;
    return values.some((v) => v === null) ? null : median(values as number[]);
  },
});

/** A bring-up figure of the `index`-th member to come up (0: the bootstrap member). */
const timing =
  (index: number, pick: (t: MemberTimings) => number) =>
  (r: SystemResults): number | undefined => {
    const t = r.timings[index];
    return t ? Math.round(pick(t) * 10) / 10 : undefined;
  };

/** The largest of the members' figures, or undefined when none was measured. */
const largest = (byMember: Record<string, number>): number | undefined => {
  const values = Object.values(byMember);
  return values.length ? Math.max(...values) : undefined;
};

export function apiMetrics(manyClients: number): Metric[] {
  return [
    loadMetric('profile-create', 1, 'req_per_s', 'POST /1.0/profiles, 1 client: req/s'),
    loadMetric('profile-create', 1, 'p50_ms', 'POST /1.0/profiles, 1 client: p50'),
    loadMetric('profile-create', manyClients, 'req_per_s', `POST /1.0/profiles, ${manyClients} clients: req/s`),
    loadMetric('profile-create', manyClients, 'p99_ms', `POST /1.0/profiles, ${manyClients} clients: p99`),
    loadMetric('server-patch', 1, 'req_per_s', 'PATCH /1.0, 1 client: req/s'),
    loadMetric('profile-get', 1, 'req_per_s', 'GET /1.0/profiles/x (linearizable), 1 client: req/s'),
    loadMetric('profile-get', manyClients, 'req_per_s', `GET /1.0/profiles/x (linearizable), ${manyClients} clients: req/s`),
    loadMetric('members-get', 1, 'p50_ms', 'GET /1.0/cluster/members, 1 client: p50'),
    failoverMetric('first_write_ms', 'failover: kill -9 of the leader → first successful write (median)'),
    failoverMetric('new_leader_ms', 'failover: → new database-leader in the member list (median)'),
    failoverMetric('killed_offline_ms', 'failover: → killed member Offline (median)'),
    failoverMetric('voters_again_ms', 'failover: → 3 voters Online again (median)'),
    failoverMetric('restart_ready_ms', 'failover: restart of the killed member → its socket answers (median)'),
    failoverMetric('rejoined_settled_ms', 'failover: restart → killed member Online, roles settled (median)'),
    {
      key: 'client:cluster_list_ms',
      label: 'cluster list by the client (cube / lxc), whole process (median)',
      unit: 'ms',
      better: 'lower',
      perVia: false,
      pick: (r) => (r.listCommandMs.length ? median(r.listCommandMs) : undefined),
    },
    {
      key: 'bringup:bootstrap_ms',
      label: 'bring-up: member 1 start → ready + bootstrap preseed',
      unit: 'ms',
      better: 'lower',
      perVia: false,
      pick: timing(0, (t) => t.start_to_ready_ms + t.init_ms),
    },
    { key: 'bringup:join2_ms', label: 'bring-up: join preseed, 2nd member (token)', unit: 'ms', better: 'lower', perVia: false, pick: timing(1, (t) => t.init_ms) },
    { key: 'bringup:join3_ms', label: 'bring-up: join preseed, 3rd member (token)', unit: 'ms', better: 'lower', perVia: false, pick: timing(2, (t) => t.init_ms) },
    { key: 'bringup:join4_ms', label: 'bring-up: join preseed, 4th member (trust password)', unit: 'ms', better: 'lower', perVia: false, pick: timing(3, (t) => t.init_ms) },
    { key: 'memory:idle_rss_mb', label: 'idle daemon RSS after bring-up, largest member', unit: 'MB', better: 'lower', perVia: false, pick: (r) => largest(r.idleResidentMb) },
    {
      key: 'memory:after_loads_rss_mb',
      label: 'daemon RSS after the loads, idle again, largest member',
      unit: 'MB',
      better: 'lower',
      perVia: false,
      pick: (r) => largest(r.afterLoadsResidentMb),
    },
  ];
}
