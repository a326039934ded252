import { selectCandidates } from './candidates';
import { ClusterGroupNotFoundError, NoSuitableMemberError, TargetMemberError } from './errors';
import { memberLoads } from './member-load';
import { rankCandidates } from './ranking';
import { parseTarget } from './target';
import { ClusterState, Placement, PLACEMENT_GROUP_KEY, PlacementOptions, PlacementRequest } from './types';

/**
 * Chooses the member for one new instance.
 *
 * A member named with `--target` wins over every scheduling rule (`scheduler.instance` included), but it must
 * exist (TargetMemberError `not-found`), be online and not evacuated, and support the requested architecture.
 * Otherwise the candidates are the members selectCandidates accepts for the target (none, or `@group`, whose
 * group must exist: ClusterGroupNotFoundError), ranked by rankCandidates; the first one wins. When no member is
 * a candidate, NoSuitableMemberError lists why each member was excluded.
 */
export function placeInstance(
  cluster: ClusterState,
  request: PlacementRequest,
  options: PlacementOptions = {},
): Placement {
  const target = parseTarget(request.target);
  const architecture = request.architecture || undefined;

  if (target.kind === 'member') {
    const member = cluster.members.find((m) => m.name === target.name);
    if (!member) throw new TargetMemberError(target.name, 'not-found');
    if (member.status === 'Evacuated') throw new TargetMemberError(member.name, 'evacuated');
    if (member.status !== 'Online') throw new TargetMemberError(member.name, 'offline');
    if (architecture && !member.architectures.includes(architecture)) {
      throw new TargetMemberError(member.name, 'architecture', {
        requested: architecture,
        supported: member.architectures,
      });
    }
    return { member: member.name, targeted: true, ranking: [] };
  }

  if (target.kind === 'group') {
    const known =
      (cluster.groups ?? []).includes(target.name) || cluster.members.some((m) => m.groups.includes(target.name));
    if (!known) throw new ClusterGroupNotFoundError(target.name);
  }

  const { eligible, excluded } = selectCandidates(cluster.members, target, architecture);
  if (eligible.length === 0) throw new NoSuitableMemberError(excluded);

  const placementGroup = request.config?.[PLACEMENT_GROUP_KEY] || undefined;
  const ranking = rankCandidates(eligible, memberLoads(cluster), placementGroup, options);
  return { member: ranking[0].member, targeted: false, ranking };
}
