import { Exclusion, ExclusionReason, MemberState, Target } from './types';

export interface CandidateSelection {
  /** Members that may take the instance, in input order. */
  eligible: MemberState[];
  /** The other members, in input order, each with the first rule it fails. */
  excluded: Exclusion[];
}

/**
 * Splits the members into those that automatic placement may use and those it may not. The rules, checked in
 * this order (the first failing one is the reason given): it is not evacuated; it is online (any status other than
 * `Online` or `Evacuated` counts as offline); with a
 * `@group` target, it is in that group; its `scheduler.instance` is not `manual`; with `scheduler.instance=group`,
 * the target is one of its groups; it supports the requested architecture (any, when none is requested).
 */
export function selectCandidates(
  members: readonly MemberState[],
  target: Exclude<Target, { kind: 'member' }>,
  architecture: string | undefined,
): CandidateSelection {
  const eligible: MemberState[] = [];
  const excluded: Exclusion[] = [];
  for (const member of members) {
    const reason = exclusionReason(member, target, architecture);
    if (reason) excluded.push({ member: member.name, reason });
    else eligible.push(member);
  }
  return { eligible, excluded };
}

function exclusionReason(
  member: MemberState,
  target: Exclude<Target, { kind: 'member' }>,
  architecture: string | undefined,
): ExclusionReason | undefined {
  if (member.status === 'Evacuated') return { kind: 'evacuated' };
  if (member.status !== 'Online') return { kind: 'offline' };
  if (target.kind === 'group' && !member.groups.includes(target.name)) {
    return { kind: 'not-in-group', group: target.name };
  }
  const mode = member.schedulerInstance ?? 'all';
  if (mode === 'manual') return { kind: 'scheduler-manual' };
  if (mode === 'group' && target.kind !== 'group') return { kind: 'scheduler-group' };
  if (architecture && !member.architectures.includes(architecture)) return { kind: 'architecture', architecture };
  return undefined;
}
