/**
 * The random client workload: writes (on the leader or forwarded by followers), retries of recent
 * writes with the same id (as a client does that lost its leader's answer), linearizable
 * reads on random nodes, single-server membership changes (add an empty node as standby, promote
 * standby → voter, demote voter → standby/spare, spare → standby, remove a non-leader member),
 * and leadership transfers. RaftError refusals are expected answers; a few deliberately invalid
 * requests check that the core refuses them.
 */
import { type ConfChange, type NodeId, RaftError, RaftErrorCode, Role, type Status } from '../../libs/raft/src';
import type { Prng } from './prng';
import { describeConfChange, type SimCluster } from './sim-cluster';
import type { Write } from './sim-state-machine';
import { Violation } from './violation';

export interface WorkloadOptions {
  /** Node ids are 1..maxNodes; ids never seen are free for `add`. */
  maxNodes: number;
  /** Keys the writes spread over. */
  keys: number;
}

type Action = 'write' | 'retry' | 'read' | 'conf' | 'transfer';
const ACTIONS: readonly Action[] = ['write', 'retry', 'read', 'conf', 'transfer'];
const WEIGHTS: Readonly<Record<Action, number>> = { write: 50, retry: 8, read: 25, conf: 10, transfer: 3 };
/** How many of the latest writes a retry picks from. */
const RETRY_WINDOW = 16;

export class Workload {
  /** Ids that were ever the target of a removal: never added again. */
  private readonly removed = new Set<NodeId>();
  readonly stats = { writes: 0, retries: 0, reads: 0, confChanges: 0, transfers: 0, refused: 0 };
  private readonly recentWrites: Write[] = [];

  constructor(
    private readonly cluster: SimCluster,
    private readonly rng: Prng,
    private readonly opts: WorkloadOptions,
  ) {}

  /** One random client action. */
  act(): void {
    switch (this.rng.weighted(WEIGHTS, ACTIONS)) {
      case 'write':
        this.write();
        break;
      case 'retry':
        this.retry();
        break;
      case 'read':
        this.read();
        break;
      case 'conf':
        this.confChange();
        break;
      case 'transfer':
        this.transfer();
        break;
    }
  }

  /** The running leader with the highest term and its status, if any. */
  private leader(): { id: NodeId; st: Status } | undefined {
    const id = this.cluster.leader();
    if (id === 0) return undefined;
    return { id, st: this.cluster.status(id)! };
  }

  private randomUpNode(): NodeId | undefined {
    const up = this.cluster.upIds();
    return up.length ? this.rng.pick(up) : undefined;
  }

  write(): void {
    const l = this.leader();
    const target = l && this.rng.chance(0.6) ? l.id : this.randomUpNode();
    if (target === undefined) return;
    this.stats.writes++;
    const key = `k${this.rng.int(this.opts.keys)}`;
    this.cluster.atHost(target, () => {
      const r = this.cluster.proposeWrite(target, key);
      if (r.error) this.stats.refused++;
      this.recentWrites.push(r.write);
      if (this.recentWrites.length > RETRY_WINDOW) this.recentWrites.shift();
    });
  }

  /** Submits one of the latest writes again, wherever: it must take effect at most once. */
  retry(): void {
    if (this.recentWrites.length === 0) return;
    const l = this.leader();
    const target = l && this.rng.chance(0.6) ? l.id : this.randomUpNode();
    if (target === undefined) return;
    this.stats.retries++;
    const again = this.rng.pick(this.recentWrites);
    this.cluster.atHost(target, () => {
      const r = this.cluster.proposeWrite(target, undefined, again);
      if (r.error) this.stats.refused++;
    });
  }

  read(): void {
    const target = this.randomUpNode();
    if (target === undefined) return;
    this.stats.reads++;
    this.cluster.atHost(target, () => this.tolerate(() => this.cluster.read(target)));
  }

  transfer(): void {
    const l = this.leader();
    if (!l || this.cluster.isStalled(l.id)) return;
    const voters = l.st.membership.filter((m) => m.role === Role.Voter && m.id !== l.id).map((m) => m.id);
    if (voters.length === 0) return;
    this.stats.transfers++;
    const to = this.rng.pick(voters);
    this.tolerate(() => this.cluster.transferLeadership(l.id, to));
    // Now and then the host gives the transfer up before it completes (its target is stopping).
    if (this.rng.chance(0.3)) this.cluster.schedule(this.rng.range(0, 300), () => this.cluster.atHost(l.id, () => this.cluster.cancelLeadershipTransfer(l.id)));
  }

  confChange(): void {
    const l = this.leader();
    if (!l || this.cluster.isStalled(l.id)) return;
    const membership = l.st.membership;
    const voters = membership.filter((m) => m.role === Role.Voter).map((m) => m.id);
    const standbys = membership.filter((m) => m.role === Role.Standby).map((m) => m.id);
    const spares = membership.filter((m) => m.role === Role.Spare).map((m) => m.id);
    const others = voters.filter((id) => id !== l.id);
    const minVoters = this.rng.chance(0.2) ? 2 : 3;

    // Weighted options: grow back when small, shrink only while at least 3 members remain.
    const options: { cc: ConfChange; weight: number }[] = [];
    const free: NodeId[] = [];
    for (let id = 1; id <= this.opts.maxNodes; id++) {
      if (membership.some((m) => m.id === id) || this.removed.has(id)) continue;
      const n = this.cluster.nodes.get(id);
      if (n && n.decommissioned) continue;
      free.push(id);
    }
    if (free.length > 0) {
      const role = this.rng.chance(0.85) ? Role.Standby : Role.Spare;
      options.push({ cc: { kind: 'add', id: this.rng.pick(free), role }, weight: membership.length < 5 ? 4 : 1 });
    }
    if (standbys.length > 0) options.push({ cc: { kind: 'assign', id: this.rng.pick(standbys), role: Role.Voter }, weight: 3 });
    if (spares.length > 0) options.push({ cc: { kind: 'assign', id: this.rng.pick(spares), role: Role.Standby }, weight: 2 });
    if (others.length > 0 && voters.length > minVoters) {
      const id = this.rng.pick(others);
      options.push({ cc: { kind: 'assign', id, role: this.rng.chance(0.7) ? Role.Standby : Role.Spare }, weight: 2 });
      if (membership.length > 3) options.push({ cc: { kind: 'remove', id }, weight: 1 });
    }
    const nonVoters = [...standbys, ...spares];
    if (nonVoters.length > 0 && membership.length > 3) options.push({ cc: { kind: 'remove', id: this.rng.pick(nonVoters) }, weight: 1 });

    if (options.length === 0 || this.rng.chance(0.05)) {
      this.invalidConfChange(l.id, membership.map((m) => m.id));
      return;
    }
    let x = this.rng.next() * options.reduce((acc, o) => acc + o.weight, 0);
    let cc = options[options.length - 1]!.cc;
    for (const o of options) {
      x -= o.weight;
      if (x < 0) {
        cc = o.cc;
        break;
      }
    }
    if (cc.kind === 'add' && !this.cluster.nodes.has(cc.id)) this.cluster.addEmptyNode(cc.id);
    this.stats.confChanges++;
    this.tolerate(() => {
      this.cluster.proposeConfChange(l.id, cc);
      if (cc.kind === 'remove') this.removed.add(cc.id);
    });
  }

  /** A request the core must refuse (it must never append it). */
  private invalidConfChange(leader: NodeId, members: NodeId[]): void {
    const choices: { cc: ConfChange; codes: RaftErrorCode[] }[] = [
      { cc: { kind: 'remove', id: leader }, codes: [RaftErrorCode.InvalidChange] },
      { cc: { kind: 'assign', id: leader, role: Role.Standby }, codes: [RaftErrorCode.InvalidChange] },
      { cc: { kind: 'add', id: this.rng.pick(members), role: Role.Standby }, codes: [RaftErrorCode.InvalidChange] },
      { cc: { kind: 'assign', id: 99, role: Role.Voter }, codes: [RaftErrorCode.UnknownMember] },
      { cc: { kind: 'remove', id: 99 }, codes: [RaftErrorCode.UnknownMember] },
    ];
    const { cc, codes } = this.rng.pick(choices);
    const allowed = [...codes, RaftErrorCode.ConfChangeInProgress, RaftErrorCode.TransferInProgress];
    try {
      const r = this.cluster.proposeConfChange(leader, cc);
      throw new Violation('api-contract', `n${leader} accepted the invalid change ${describeConfChange(cc)} as ${r.index}/${r.term}`);
    } catch (e) {
      if (!(e instanceof RaftError)) throw e;
      if (!allowed.includes(e.code)) {
        throw new Violation('api-contract', `n${leader} refused the invalid change ${describeConfChange(cc)} with ${e.code}, expected ${codes.join(' or ')}`);
      }
      this.stats.refused++;
    }
  }

  private tolerate(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof RaftError)) throw e;
      this.stats.refused++;
    }
  }
}

