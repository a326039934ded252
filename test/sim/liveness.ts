/**
 * The liveness check of the heal phase: once every fault is gone, within a bounded virtual time a
 * leader must exist that every replicating member (voters and standbys of its membership) agrees
 * on, a fresh write proposed on it must be committed and applied on all of them, and they must
 * all reach the same applied index and state.
 */
import { type NodeId, Role, StateRole } from '../../libs/raft/src';
import { hex32 } from './fnv';
import type { SimCluster } from './sim-cluster';
import { Violation } from './violation';

export interface LivenessResult {
  /** Virtual time it took to converge. */
  took: number;
  leader: NodeId;
  applied: number;
}

interface Probe {
  leader: NodeId;
  term: number;
  index: number;
}

/**
 * Runs the cluster until it converges or `limit` virtual ms pass (then throws a 'liveness'
 * violation describing every node). Polls every `pollEvery` virtual ms.
 */
export function awaitConvergence(cluster: SimCluster, limit: number, pollEvery: number): LivenessResult {
  const start = cluster.now;
  const deadline = start + limit;
  let probe: Probe | undefined;
  let why = 'not polled yet';
  let result: LivenessResult | undefined;

  const check = (): boolean => {
    // A leader with the highest term among running nodes...
    const leader = cluster.leader();
    if (leader === 0) {
      why = 'no leader';
      return false;
    }
    const st = cluster.status(leader)!;
    const replicas = st.membership.filter((m) => m.role !== Role.Spare).map((m) => m.id);
    // ...that every replicating member runs under and agrees on.
    for (const id of replicas) {
      const s = cluster.status(id);
      if (!s) {
        why = `member n${id} of the leader's membership is not running`;
        return false;
      }
      if (s.term !== st.term || s.leaderId !== leader || (id !== leader && s.role !== StateRole.Follower)) {
        why = `n${id} (${s.role}, term ${s.term}, leader ${s.leaderId}) does not follow leader n${leader} of term ${st.term}`;
        return false;
      }
    }
    // A fresh write on that leader...
    if (!probe || probe.leader !== leader || probe.term !== st.term) {
      const r = cluster.proposeWrite(leader, 'probe');
      if (!r.proposal || !('index' in r.proposal)) {
        why = `leader n${leader} refused the probe write: ${r.error?.code ?? 'forwarded'}`;
        probe = undefined;
        return false;
      }
      probe = { leader, term: r.proposal.term, index: r.proposal.index };
      why = `probe ${probe.index}/${probe.term} proposed`;
      return false;
    }
    const committedTerm = cluster.checker.canonicalTerm(probe.index);
    if (committedTerm !== undefined && committedTerm !== probe.term) {
      why = `probe ${probe.index}/${probe.term} was overwritten`;
      probe = undefined;
      return false;
    }
    // ...applied by every replicating member, all at the same index and state.
    const lead = cluster.node(leader).app;
    for (const id of replicas) {
      const app = cluster.node(id).app;
      if (app.applied < probe.index) {
        why = `n${id} applied ${app.applied}, the probe is at ${probe.index}`;
        return false;
      }
      if (app.applied !== lead.applied || app.hash !== lead.hash) {
        why = `n${id} is at ${app.applied}/${hex32(app.hash)}, leader n${leader} at ${lead.applied}/${hex32(lead.hash)}`;
        return false;
      }
    }
    if (st.commit !== lead.applied) {
      why = `leader n${leader} has commit ${st.commit} but applied ${lead.applied}`;
      return false;
    }
    result = { took: cluster.now - start, leader, applied: lead.applied };
    return true;
  };

  let done = false;
  const poll = (): void => {
    if (check()) done = true;
    else cluster.schedule(pollEvery, poll);
  };
  cluster.schedule(0, poll);
  while (!done && cluster.now <= deadline) {
    if (!cluster.step()) break;
  }
  if (!done || !result) {
    const nodes = cluster.ids().map((id) => `  ${cluster.describeNode(id)}`);
    throw new Violation(
      'liveness',
      `no convergence within ${limit} virtual ms after healing (last: ${why})\n${nodes.join('\n')}`,
    );
  }
  cluster.log(`converged after ${result.took} ms: leader n${result.leader} applied ${result.applied}`);
  return result;
}

