/** GET /1.0/cluster/members?recursion=1 as a list, and what it says about roles and status. */
import type { LxdApi } from './lxd-api';

export interface MemberView {
  server_name: string;
  url: string;
  status: string;
  message: string;
  roles: string[];
}

export interface ExpectedRoles {
  members: number;
  voters: number;
  standbys: number;
}

/** The shape of the local cluster once its roles have settled: 3 voters and 1 standby. */
export const FOUR_MEMBER_ROLES: ExpectedRoles = { members: 4, voters: 3, standbys: 1 };

export function clusterMembers(api: LxdApi, timeoutMs?: number): Promise<MemberView[]> {
  return api.get<MemberView[]>('/1.0/cluster/members?recursion=1', timeoutMs);
}

export const isOnline = (m: MemberView): boolean => m.status === 'Online';
export const isVoter = (m: MemberView): boolean => m.roles.includes('database');
export const isStandby = (m: MemberView): boolean => m.roles.includes('database-standby');

export function databaseLeader(members: MemberView[]): MemberView | undefined {
  return members.find((m) => m.roles.includes('database-leader'));
}

/** All expected members Online, with exactly the expected numbers of voters and standbys among them. */
export function rolesSettled(members: MemberView[], expected: ExpectedRoles): boolean {
  const online = members.filter(isOnline);
  return (
    members.length === expected.members &&
    online.length === expected.members &&
    online.filter(isVoter).length === expected.voters &&
    online.filter(isStandby).length === expected.standbys &&
    databaseLeader(online) !== undefined
  );
}

/** One line per member for messages: "m1 Online [database-leader database]". */
export function describeMembers(members: MemberView[]): string {
  return members.map((m) => `${m.server_name} ${m.status} [${m.roles.join(' ')}]`).join(', ');
}
