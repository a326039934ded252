/**
 * Checking an edited cluster configuration against the current one, as `lxd cluster edit` does:
 * the members keep their ids and names (none added or removed), addresses stay unique, a spare
 * cannot become a voter directly (it holds no up-to-date copy of the database), and enough voters
 * remain (one, and at least two in a cluster of more than two members). Addresses and roles may
 * change. A name left out keeps the current one.
 */
import { RaftNodeRole, type RaftNodeInfo } from '@app/db';
import { ClusterConfigError } from './cluster-config-error';
import type { ClusterConfigMember } from './cluster-config-yaml';

/** The Raft members the configuration describes, by id; throws ClusterConfigError listing every problem. */
export function validateClusterConfig(current: readonly RaftNodeInfo[], self: RaftNodeInfo, proposed: readonly ClusterConfigMember[]): RaftNodeInfo[] {
  const problems: string[] = [];
  const byId = new Map<number, ClusterConfigMember>();
  for (const m of proposed) {
    if (byId.has(m.id)) problems.push(`member ${m.id} appears more than once`);
    else byId.set(m.id, m);
  }
  const byAddress = new Map<string, number>();
  for (const m of byId.values()) {
    const other = byAddress.get(m.address);
    if (other !== undefined) problems.push(`members ${other} and ${m.id} have the same address ${m.address}`);
    else byAddress.set(m.address, m.id);
  }
  if (!byId.has(self.id)) problems.push(`this member (id ${self.id}${self.name ? `, ${self.name}` : ''}) is missing: it must stay in the configuration`);

  const currentById = new Map(current.map((n) => [n.id, n]));
  const added = [...byId.keys()].filter((id) => !currentById.has(id));
  const removed = current.filter((n) => n.id !== self.id && !byId.has(n.id)).map((n) => n.id);
  if (added.length > 0) problems.push(`adding cluster members is not supported (unknown id ${added.join(', ')}); member ids cannot change`);
  if (removed.length > 0) {
    problems.push(`removing cluster members is not supported (member ${removed.join(', ')} is missing); use "cluster recover-from-quorum-loss" to continue without them`);
  }

  const result: RaftNodeInfo[] = [];
  for (const m of byId.values()) {
    const old = currentById.get(m.id);
    if (!old) continue;
    if (old.name && m.name && old.name !== m.name) problems.push(`member ${m.id}: changing the name (${old.name} to ${m.name}) is not supported`);
    if (old.role === RaftNodeRole.Spare && m.role === RaftNodeRole.Voter) {
      problems.push(`member ${m.id}: a spare cannot become a voter (it holds no up-to-date copy of the database); make it a stand-by first`);
    }
    result.push({ id: m.id, address: m.address, role: m.role, name: m.name || old.name });
  }

  const voters = [...byId.values()].filter((m) => m.role === RaftNodeRole.Voter).length;
  if (voters === 0) problems.push('at least one member must be a voter');
  else if (voters < 2 && byId.size > 2) problems.push(`a cluster of ${byId.size} members needs at least 2 voters`);

  if (problems.length > 0) throw new ClusterConfigError(problems);
  return result.sort((a, b) => a.id - b.id);
}

/** The same members with the same addresses, roles and names. */
export function sameRaftNodes(a: readonly RaftNodeInfo[], b: readonly RaftNodeInfo[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(a.map((n) => [n.id, n]));
  return b.every((n) => {
    const o = byId.get(n.id);
    return o !== undefined && o.address === n.address && o.role === n.role && o.name === n.name;
  });
}
