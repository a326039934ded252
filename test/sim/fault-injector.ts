/**
 * Random faults for the fault phase: network profiles (loss, duplication, delay and reordering),
 * partitions (minority/majority splits, an isolated leader, asymmetric one-way links), crashes
 * (also right after persisting a Ready, before sending it), restarts and stalls (a host that
 * handles nothing for a while, often the leader, often longer than an election timeout).
 * `healEverything()` ends the fault phase.
 */
import type { NodeId } from '../../libs/raft/src';
import type { Prng } from './prng';
import type { SimCluster } from './sim-cluster';
import { CALM_NETWORK, type NetworkFaults } from './sim-network';

type Fault = 'network' | 'partition' | 'isolate-leader' | 'one-way' | 'heal' | 'crash' | 'crash-mid-ready' | 'restart' | 'stall';
const FAULTS: readonly Fault[] = ['network', 'partition', 'isolate-leader', 'one-way', 'heal', 'crash', 'crash-mid-ready', 'restart', 'stall'];
const WEIGHTS: Readonly<Record<Fault, number>> = {
  network: 12,
  partition: 8,
  'isolate-leader': 5,
  'one-way': 6,
  heal: 12,
  crash: 8,
  'crash-mid-ready': 5,
  restart: 16,
  stall: 6,
};

const PROFILES: Readonly<Record<string, NetworkFaults>> = {
  calm: CALM_NETWORK,
  lossy: { dropRate: 0.1, dupRate: 0.03, minDelay: 1, maxDelay: 15, slowRate: 0.02, slowDelay: 200 },
  slow: { dropRate: 0.02, dupRate: 0.02, minDelay: 5, maxDelay: 60, slowRate: 0.15, slowDelay: 400 },
  chaotic: { dropRate: 0.3, dupRate: 0.1, minDelay: 1, maxDelay: 40, slowRate: 0.1, slowDelay: 600 },
};
const PROFILE_NAMES = Object.keys(PROFILES);

export class FaultInjector {
  readonly stats = { faults: 0 };

  constructor(
    private readonly cluster: SimCluster,
    private readonly rng: Prng,
    /** Most nodes down at once (so the cluster makes progress between faults). */
    private readonly maxDown: number,
  ) {}

  act(): void {
    this.stats.faults++;
    const c = this.cluster;
    switch (this.rng.weighted(WEIGHTS, FAULTS)) {
      case 'network': {
        const name = this.rng.pick(PROFILE_NAMES);
        c.network.faults = { ...PROFILES[name]! };
        c.log(`network ${name}`);
        break;
      }
      case 'partition': {
        const ids = this.rng.shuffle(this.liveIds());
        if (ids.length < 2) break;
        const k = this.rng.range(1, Math.floor(ids.length / 2));
        c.heal();
        c.partition([ids.slice(0, k), ids.slice(k)]);
        break;
      }
      case 'isolate-leader': {
        const l = c.leader();
        if (l !== 0) c.isolate(l);
        break;
      }
      case 'one-way': {
        const ids = this.liveIds();
        if (ids.length < 2) break;
        const links = this.rng.range(1, 3);
        for (let i = 0; i < links; i++) {
          const [from, to] = this.rng.shuffle(ids);
          c.block(from!, to!);
        }
        break;
      }
      case 'heal':
        c.heal();
        break;
      case 'crash': {
        const victim = this.crashVictim();
        if (victim !== undefined) c.crash(victim);
        break;
      }
      case 'crash-mid-ready': {
        const victim = this.crashVictim();
        if (victim !== undefined) {
          c.log(`n${victim} will crash after its next persist`);
          c.crashAfterNextPersist(victim);
        }
        break;
      }
      case 'restart': {
        const down = this.downIds();
        if (down.length > 0) c.restart(this.rng.pick(down));
        break;
      }
      case 'stall': {
        const l = c.leader();
        const up = c.upIds();
        const victim = l !== 0 && this.rng.chance(0.6) ? l : up.length ? this.rng.pick(up) : undefined;
        if (victim !== undefined) c.stall(victim, this.rng.range(50, 3000));
        break;
      }
    }
  }

  /** Ends the fault phase: all links healed, a calm network, every crashed node restarted. */
  healEverything(): void {
    const c = this.cluster;
    c.heal();
    c.network.faults = { ...CALM_NETWORK };
    c.log('network calm');
    for (const n of c.nodes.values()) n.crashAfterPersist = false;
    for (const id of this.downIds()) c.restart(id);
  }

  private liveIds(): NodeId[] {
    const out: NodeId[] = [];
    for (const n of this.cluster.nodes.values()) if (!n.decommissioned) out.push(n.id);
    return out;
  }

  private downIds(): NodeId[] {
    const out: NodeId[] = [];
    for (const n of this.cluster.nodes.values()) if (!n.up && !n.decommissioned) out.push(n.id);
    return out;
  }

  private crashVictim(): NodeId | undefined {
    if (this.downIds().length >= this.maxDown) return undefined;
    const l = this.cluster.leader();
    if (l !== 0 && this.rng.chance(0.3)) return l;
    const up = this.cluster.upIds();
    return up.length ? this.rng.pick(up) : undefined;
  }
}
