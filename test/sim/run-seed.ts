/**
 * One simulated run: a random scenario from the seed, a fault phase (random faults and random
 * workload for a number of events), then a heal phase (every link healed, every node restarted,
 * a calm network) that must converge within a bounded virtual time.
 */
import { Checker } from './checker';
import { FaultInjector } from './fault-injector';
import { awaitConvergence } from './liveness';
import { deriveSeed, Prng } from './prng';
import { chooseScenario, describeScenario } from './scenario';
import { SimCluster, type SimNode } from './sim-cluster';
import { Trace } from './trace';
import { Violation } from './violation';
import { Workload } from './workload';

export interface SeedOptions {
  seed: number;
  /** Events in the fault phase. */
  steps?: number;
  /** Fixed number of founding voters (default: 3–5 at random). */
  nodes?: number;
  /** Enable RaftConfig.leaseReads (off by default). */
  leaseReads?: boolean;
  /** Print every trace line as it happens. */
  print?: (line: string) => void;
  /** Trace lines kept for the failure report. */
  keep?: number;
  /** Compute a hash over the whole trace. */
  hashTrace?: boolean;
}

export interface SeedStats {
  events: number;
  virtualMs: number;
  leaders: number;
  entriesCommitted: number;
  writesAcked: number;
  readsServed: number;
  snapshotsInstalled: number;
  confChanges: number;
  crashes: number;
  convergeMs: number;
  /** Writes submitted again with the same id, and the committed repeats that changed nothing. */
  writesRetried: number;
  repeatsIgnored: number;
}

export interface SeedResult {
  seed: number;
  ok: boolean;
  invariant?: string;
  details?: string;
  /** The last trace lines (failures only, unless asked otherwise). */
  traceTail: string[];
  traceHash: number;
  stats: SeedStats;
}

export const DEFAULT_STEPS = 3000;

export function runSeed(opts: SeedOptions): SeedResult {
  const seed = opts.seed;
  const steps = opts.steps ?? DEFAULT_STEPS;
  const scenario = chooseScenario(new Prng(deriveSeed(seed, 0)), { voters: opts.nodes, leaseReads: opts.leaseReads });
  const trace = new Trace({ keep: opts.keep ?? 200, print: opts.print, hash: opts.hashTrace });
  const checker = new Checker();
  const cluster = new SimCluster({
    seed,
    raft: scenario.raft,
    tickInterval: scenario.tickInterval,
    tickJitter: scenario.tickJitter,
    autoTick: true,
    snapshotEvery: scenario.snapshotEvery,
    trace,
    checker,
  });
  const electionTimeout = scenario.raft.electionTicks * scenario.tickInterval;
  let convergeMs = -1;
  let invariant: string | undefined;
  let details: string | undefined;
  let workload: Workload | undefined;

  trace.add(0, `seed ${seed}: ${describeScenario(scenario)}`);
  try {
    cluster.bootstrap(scenario.voters, scenario.standbys);
    workload = new Workload(cluster, new Prng(deriveSeed(seed, 3)), { maxNodes: scenario.maxNodes, keys: 12 });
    const faults = new FaultInjector(cluster, new Prng(deriveSeed(seed, 4)), Math.max(1, Math.floor(scenario.voters.length / 2)));
    const timing = new Prng(deriveSeed(seed, 5));
    let faultPhase = true;

    const clientLoop = (): void => {
      if (!faultPhase) return;
      workload!.act();
      cluster.schedule(timing.range(10, 120), clientLoop);
    };
    const faultLoop = (): void => {
      if (!faultPhase) return;
      faults.act();
      cluster.schedule(timing.range(100, 1500), faultLoop);
    };
    // Let the first leader settle before the client and the faults start.
    cluster.schedule(3 * electionTimeout, clientLoop);
    cluster.schedule(3 * electionTimeout + timing.range(0, 2 * electionTimeout), faultLoop);

    while (cluster.stats.events < steps && cluster.step()) {
      // fault phase
    }
    faultPhase = false;
    cluster.log('--- heal phase');
    faults.healEverything();
    convergeMs = awaitConvergence(cluster, 50 * electionTimeout, scenario.tickInterval).took;
  } catch (e) {
    if (e instanceof Violation) {
      invariant = e.invariant;
      details = e.details;
    } else {
      invariant = 'simulator-error';
      details = e instanceof Error ? (e.stack ?? e.message) : String(e);
    }
    trace.add(cluster.now, `VIOLATION ${invariant}: ${details}`);
  }
  const ok = invariant === undefined;
  const cs = checker.stats;
  return {
    seed,
    ok,
    invariant,
    details,
    traceTail: ok ? [] : trace.tail(),
    traceHash: trace.hash,
    stats: {
      events: cluster.stats.events,
      virtualMs: cluster.now,
      leaders: cs.leaders,
      entriesCommitted: checker.maxApplied,
      writesAcked: cs.writesCompleted,
      readsServed: cs.readsServed,
      snapshotsInstalled: cluster.stats.snapshotsInstalled,
      confChanges: cs.confChanges,
      crashes: cluster.stats.crashes,
      convergeMs,
      writesRetried: workload?.stats.retries ?? 0,
      repeatsIgnored: mostAdvanced(cluster)?.app.repeats ?? 0,
    },
  };
}

/** The node whose state machine has applied the most entries. */
function mostAdvanced(cluster: SimCluster): SimNode | undefined {
  let best: SimNode | undefined;
  for (const n of cluster.nodes.values()) if (!best || n.app.applied > best.app.applied) best = n;
  return best;
}
