/**
 * Which database role change the leader makes next, as a pure function of the members' roles and
 * liveness: LXD's rebalancing. The number of voters is the largest odd number not above
 * `cluster.max_voters` and the number of live members (so 2 members have 1 voter and a standby,
 * 3 or 4 have 3); up to `cluster.max_standby` standbys follow the log; everyone else is a spare.
 * A voter that died is replaced by a live standby (or a spare, which first becomes a standby to
 * catch up), and demoted once its replacement votes. One change at a time: the leader applies it
 * and plans again.
 */
import { Role } from '@app/raft';

export interface MemberLiveness {
  id: number;
  role: Role;
  /** Reachable now (and not evacuated). */
  live: boolean;
}

export interface RoleChange {
  id: number;
  role: Role;
  reason: string;
}

export function largestOddAtMost(n: number): number {
  if (n < 1) return 1;
  return n % 2 === 1 ? n : n - 1;
}

export function planRoleChange(members: readonly MemberLiveness[], leaderId: number, maxVoters: number, maxStandby: number): RoleChange | undefined {
  const byId = (a: MemberLiveness, b: MemberLiveness): number => a.id - b.id;
  const voters = members.filter((m) => m.role === Role.Voter);
  const standbys = members.filter((m) => m.role === Role.Standby).sort(byId);
  const spares = members.filter((m) => m.role === Role.Spare).sort(byId);
  const liveCount = members.filter((m) => m.live).length;
  // Promotions aim at what the live members can give; demotions only follow the size of the whole
  // membership, so a dead voter is kept (it still counts towards quorum) until it is replaced.
  const targetVoters = largestOddAtMost(Math.min(maxVoters, liveCount));
  const votersAllowed = largestOddAtMost(Math.min(maxVoters, members.length));
  const deadVoters = voters.filter((m) => !m.live && m.id !== leaderId).sort(byId);
  const liveVoters = voters.filter((m) => m.live || m.id === leaderId);
  const liveStandbys = standbys.filter((m) => m.live);
  const liveSpares = spares.filter((m) => m.live);

  // 1. Enough live voters first: promote a live standby, or bring a live spare up to standby.
  if (liveVoters.length < targetVoters) {
    if (liveStandbys[0]) return { id: liveStandbys[0].id, role: Role.Voter, reason: `${liveVoters.length} live voters, ${targetVoters} wanted` };
    if (liveSpares[0]) return { id: liveSpares[0].id, role: Role.Standby, reason: `a spare catches up to become a voter (${liveVoters.length} live voters, ${targetVoters} wanted)` };
  }
  // 2. Too many voters (a dead one was replaced, or max_voters went down): dead ones go first.
  if (voters.length > votersAllowed) {
    if (deadVoters[0]) return { id: deadVoters[0].id, role: Role.Spare, reason: 'a dead voter was replaced' };
    const extra = liveVoters.filter((m) => m.id !== leaderId).sort(byId).pop();
    if (extra) return { id: extra.id, role: Role.Standby, reason: `${voters.length} voters, at most ${votersAllowed} wanted` };
  }
  // 3. Standbys: dead ones make room; then fill up to max_standby with live spares; trim extras.
  const deadStandby = standbys.find((m) => !m.live);
  if (deadStandby) return { id: deadStandby.id, role: Role.Spare, reason: 'a standby is unreachable' };
  if (liveStandbys.length < maxStandby && liveSpares[0]) return { id: liveSpares[0].id, role: Role.Standby, reason: `${liveStandbys.length} standbys, up to ${maxStandby} wanted` };
  if (standbys.length > maxStandby) return { id: standbys[standbys.length - 1].id, role: Role.Spare, reason: `${standbys.length} standbys, at most ${maxStandby} wanted` };
  return undefined;
}
