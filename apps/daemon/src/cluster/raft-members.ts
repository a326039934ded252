/**
 * The Raft members as the local database keeps them (raft_nodes) and as members tell each other in
 * heartbeats: id, cluster address, role and name.
 */
import { type LocalDatabase, type RaftNodeInfo, RaftNodeRole, roleToRaftNodeRole } from '@app/db';
import { Role } from '@app/raft';
import type { Databases } from '../database/databases';

export interface RaftMemberJson {
  id: number;
  address: string;
  role: 'voter' | 'standby' | 'spare';
  name: string;
}

const ROLE_NAMES: Record<RaftNodeRole, RaftMemberJson['role']> = {
  [RaftNodeRole.Voter]: 'voter',
  [RaftNodeRole.Standby]: 'standby',
  [RaftNodeRole.Spare]: 'spare',
};

export function toRaftMemberJson(n: RaftNodeInfo): RaftMemberJson {
  return { id: n.id, address: n.address, role: ROLE_NAMES[n.role], name: n.name };
}

export function fromRaftMemberJson(m: RaftMemberJson): RaftNodeInfo {
  const role = m.role === 'voter' ? RaftNodeRole.Voter : m.role === 'standby' ? RaftNodeRole.Standby : RaftNodeRole.Spare;
  return { id: m.id, address: m.address, role, name: m.name ?? '' };
}

/**
 * The members with their roles in force (from the running Raft node) and their addresses and
 * names (from the `nodes` table, else what the local database knows).
 */
export function currentRaftMembers(databases: Databases, names: Map<number, { name: string; address: string }>): RaftNodeInfo[] {
  const st = databases.global.status();
  const known = new Map(databases.local.raftNodes().map((n) => [n.id, n]));
  return st.members
    .map((m) => {
      const named = names.get(m.id);
      const address = named?.address || known.get(m.id)?.address || m.address;
      return { id: m.id, address, role: roleToRaftNodeRole(m.role as Role), name: named?.name || known.get(m.id)?.name || m.name };
    })
    .filter((n) => n.address !== '');
}

/** Stores the members in the local database and in the running database's address book, if they changed. */
export function rememberRaftMembers(local: LocalDatabase, databases: Databases, nodes: RaftNodeInfo[]): void {
  const same = (a: RaftNodeInfo[], b: RaftNodeInfo[]): boolean =>
    a.length === b.length && a.every((x, i) => x.id === b[i].id && x.address === b[i].address && x.role === b[i].role && x.name === b[i].name);
  const sorted = [...nodes].sort((a, b) => a.id - b.id);
  if (!same(local.raftNodes(), sorted)) local.replaceRaftNodes(sorted);
  databases.cluster.peers.replace(sorted.map((n) => ({ id: n.id, address: n.address, name: n.name })));
}
