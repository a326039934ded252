/** Raft roles as `lxd cluster edit` and `list-database` spell them: voter, stand-by, spare. */
import { RaftNodeRole, roleToRaftNodeRole } from '@app/db';
import type { Role } from '@app/raft';

export type RaftRoleName = 'voter' | 'stand-by' | 'spare';

const NAMES: Record<RaftNodeRole, RaftRoleName> = {
  [RaftNodeRole.Voter]: 'voter',
  [RaftNodeRole.Standby]: 'stand-by',
  [RaftNodeRole.Spare]: 'spare',
};

export const RAFT_ROLE_NAMES: readonly RaftRoleName[] = ['voter', 'stand-by', 'spare'];

export function raftRoleName(role: RaftNodeRole): RaftRoleName {
  const name = NAMES[role];
  if (name === undefined) throw new RangeError(`unknown raft node role ${role}`);
  return name;
}

/** The name of a role of the Raft library's membership. */
export function membershipRoleName(role: Role): RaftRoleName {
  return raftRoleName(roleToRaftNodeRole(role));
}

const ROLES_BY_NAME: Record<RaftRoleName, RaftNodeRole> = {
  voter: RaftNodeRole.Voter,
  'stand-by': RaftNodeRole.Standby,
  spare: RaftNodeRole.Spare,
};

export function parseRaftRoleName(name: string): RaftNodeRole | undefined {
  return Object.prototype.hasOwnProperty.call(ROLES_BY_NAME, name) ? ROLES_BY_NAME[name as RaftRoleName] : undefined;
}
