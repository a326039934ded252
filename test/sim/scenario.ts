/**
 * The random setup of one seed: founding members, spare node ids, Raft tuning (small limits so
 * that batching, flow control, snapshots in several chunks and promotions are all exercised) and
 * the application's snapshot interval.
 */
import type { NodeId } from '../../libs/raft/src';
import type { Prng } from './prng';
import type { RaftTuning } from './sim-cluster';

export interface Scenario {
  voters: NodeId[];
  standbys: NodeId[];
  /** Node ids are 1..maxNodes (ids above the founding members are added at run time). */
  maxNodes: number;
  raft: RaftTuning;
  tickInterval: number;
  tickJitter: number;
  snapshotEvery: number;
}

export interface ScenarioOverrides {
  /** Fixed number of founding voters. */
  voters?: number;
  /** Serve reads from the leader lease (forces checkQuorum on). */
  leaseReads?: boolean;
}

export function chooseScenario(rng: Prng, overrides: ScenarioOverrides = {}): Scenario {
  const fixedVoters = overrides.voters;
  const nVoters = fixedVoters ?? rng.range(3, 5);
  const nStandbys = rng.chance(0.3) ? 1 : 0;
  const voters: NodeId[] = [];
  const standbys: NodeId[] = [];
  for (let i = 1; i <= nVoters; i++) voters.push(i);
  for (let i = 1; i <= nStandbys; i++) standbys.push(nVoters + i);
  const maxNodes = Math.min(9, nVoters + nStandbys + rng.range(2, 4));
  const preVote = rng.chance(0.8);
  return {
    voters,
    standbys,
    maxNodes,
    raft: {
      electionTicks: 10,
      heartbeatTicks: rng.range(1, 2),
      preVote,
      // Without either, a member that missed its own removal/demotion disrupts the cluster forever.
      checkQuorum: !preVote || rng.chance(0.8) || overrides.leaseReads === true,
      leaseReads: overrides.leaseReads === true,
      forwardProposals: rng.chance(0.85),
      // Mostly 4–16; sometimes 1–3 so that a leader's entries reach followers one at a time.
      maxEntriesPerMsg: rng.chance(0.2) ? rng.range(1, 3) : rng.range(4, 16),
      maxBytesPerMsg: rng.pick([256, 1024, 64 << 10]),
      maxInflightMsgs: rng.range(2, 8),
      maxInflightBytes: rng.pick([2048, 16 << 10, 1 << 20]),
      snapshotChunkBytes: rng.range(64, 256),
      snapshotTrailing: rng.range(0, 20),
      promotionLag: 10,
    },
    tickInterval: 100,
    tickJitter: rng.chance(0.5) ? rng.range(1, 5) : 0,
    snapshotEvery: rng.range(8, 40),
  };
}

export function describeScenario(s: Scenario): string {
  const r = s.raft;
  return (
    `voters=[${s.voters.join(',')}] standbys=[${s.standbys.join(',')}] maxNodes=${s.maxNodes} ` +
    `heartbeat=${r.heartbeatTicks} preVote=${r.preVote} checkQuorum=${r.checkQuorum}${r.leaseReads ? ' leaseReads' : ''} forward=${r.forwardProposals} ` +
    `maxEntries=${r.maxEntriesPerMsg} maxBytes=${r.maxBytesPerMsg} inflight=${r.maxInflightMsgs}/${r.maxInflightBytes}B ` +
    `chunk=${r.snapshotChunkBytes} trailing=${r.snapshotTrailing} snapshotEvery=${s.snapshotEvery} jitter=${s.tickJitter}`
  );
}
