/**
 * Figures that do not come from this run, each with its source: LXD 5.0.2's, measured earlier on
 * this machine (the project's reference figures, targets.md and lxd-compat.md: 4 members, 2 shared cores,
 * ±40 %), and the goals Cubed is held to (targets.md, "Cubed goal"). Keyed like api-metrics.ts.
 */
export const LXD_REFERENCE_SOURCE = 'LXD 5.0.2 figures from the reference (targets.md, lxd-compat.md): measured earlier on this machine, NOT in this run';

export interface ReferenceFigure {
  low: number;
  high: number;
  note: string;
}

export const LXD_REFERENCE: Record<string, ReferenceFigure> = {
  'profile-create/1:req_per_s': { low: 132, high: 221, note: 'sequential profile create, 1 keep-alive conn, 500 reqs (leader 132, pass 1: 221)' },
  'profile-create/1:p50_ms': { low: 4.3, high: 7.2, note: 'p50 6.5–7.2 ms (pass 1: 4.3–6.4)' },
  'profile-create/16:req_per_s': { low: 123, high: 191, note: '16 workers, 1000 reqs' },
  'profile-create/16:p99_ms': { low: 382, high: 632, note: '16 workers' },
  'server-patch/1:req_per_s': { low: 25, high: 28, note: 'PATCH /1.0 user.* key, 1 worker' },
  'profile-get/1:req_per_s': { low: 685, high: 685, note: 'keep-alive GET /1.0/profiles/default, leader, 1 conn' },
  'profile-get/16:req_per_s': { low: 775, high: 775, note: 'the reference has 8 conns, not 16' },
  'members-get/1:p50_ms': { low: 3, high: 6, note: 'GET /1.0/cluster/members over the unix socket, keep-alive, ~3–6 ms' },
  'failover:first_write_ms': { low: 4570, high: 6650, note: 'median 5.59 s, 11 kills' },
  'failover:new_leader_ms': { low: 4820, high: 6930, note: 'median 5.60 s' },
  'failover:killed_offline_ms': { low: 6600, high: 15700, note: 'median 9.7 s, default cluster.offline_threshold' },
  'failover:voters_again_ms': { low: 5800, high: 19800, note: 'median 11.7 s' },
  'failover:restart_ready_ms': { low: 550, high: 1580, note: 'restart → waitready, median 1.05 s' },
  'failover:rejoined_settled_ms': { low: 4100, high: 13300, note: 'restart → ONLINE again, median 7.2 s' },
  'client:cluster_list_ms': { low: 17, high: 17, note: 'lxc cluster list, whole process (a Go binary)' },
  'bringup:bootstrap_ms': { low: 747, high: 833, note: 'daemon start → ready + bootstrap preseed, median 0.794 s' },
  'bringup:join2_ms': { low: 298, high: 360, note: 'join preseed, 2nd member, median 0.321 s' },
  'bringup:join3_ms': { low: 964, high: 1082, note: 'join preseed, 3rd member (the cluster goes to 3 voters), median 1.037 s' },
  'bringup:join4_ms': { low: 322, high: 471, note: 'join preseed, 4th member, median 0.375 s' },
};

export interface Goal {
  /** The goal's bound, in the metric's unit; `offline_threshold` stands for the cluster's setting. */
  bound: number | 'offline_threshold';
  text: string;
}

export const GOALS: Record<string, Goal> = {
  'profile-create/1:req_per_s': { bound: 1000, text: '≥ 1,000 req/s' },
  'profile-create/1:p50_ms': { bound: 1, text: 'p50 ≤ 1 ms' },
  'profile-create/16:req_per_s': { bound: 4000, text: '≥ 4,000 req/s' },
  'profile-create/16:p99_ms': { bound: 25, text: 'p99 ≤ 25 ms' },
  'server-patch/1:req_per_s': { bound: 1000, text: '≥ 1,000 req/s' },
  'profile-get/1:req_per_s': { bound: 3000, text: '≥ 3,000 req/s' },
  'members-get/1:p50_ms': { bound: 1, text: 'p50 ≤ 1 ms' },
  'failover:first_write_ms': { bound: 1500, text: '≤ 1.5 s' },
  'failover:voters_again_ms': { bound: 5000, text: '≤ 5 s with default settings' },
  'failover:killed_offline_ms': { bound: 'offline_threshold', text: '≤ cluster.offline_threshold' },
  'client:cluster_list_ms': { bound: 250, text: '≤ 250 ms (node start included)' },
  'bringup:bootstrap_ms': { bound: 800, text: '≤ 0.8 s together' },
  'bringup:join2_ms': { bound: 500, text: '≤ 0.5 s' },
  'bringup:join3_ms': { bound: 500, text: '≤ 0.5 s' },
  'bringup:join4_ms': { bound: 500, text: '≤ 0.5 s' },
  'memory:idle_rss_mb': { bound: 150, text: '≤ 150 MB' },
};
