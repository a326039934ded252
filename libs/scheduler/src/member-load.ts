import { ClusterState } from './types';

/** A member's instance counts with the pending creations added. */
export interface MemberLoad {
  instances: number;
  /** Instances per `placement.group` value. */
  placementGroups: ReadonlyMap<string, number>;
}

/** The load of every member of `cluster`, keyed by member name; pending creations count like instances. */
export function memberLoads(cluster: ClusterState): Map<string, MemberLoad> {
  const loads = new Map<string, { instances: number; placementGroups: Map<string, number> }>();
  for (const member of cluster.members) {
    loads.set(member.name, {
      instances: member.instances,
      placementGroups: new Map(Object.entries(member.placementGroups ?? {})),
    });
  }
  for (const creation of cluster.pending ?? []) {
    const load = loads.get(creation.member);
    if (!load) continue;
    load.instances += 1;
    if (creation.placementGroup) {
      const groups = load.placementGroups;
      groups.set(creation.placementGroup, (groups.get(creation.placementGroup) ?? 0) + 1);
    }
  }
  return loads;
}
