import { placeInstance } from './placement';
import {
  ClusterState,
  PendingCreation,
  Placement,
  PLACEMENT_GROUP_KEY,
  PlacementOptions,
  PlacementRequest,
} from './types';

/**
 * Places several instances one after the other, as if each earlier one were already being created: every
 * placement adds a pending creation (with its `placement.group`) to its member before the next request is
 * placed. Placing N instances without targets on M equal members therefore spreads them evenly (the counts end
 * at most one apart). The input is not modified. The first request that cannot be placed throws its
 * PlacementError, and nothing is returned.
 */
export function placeInstances(
  cluster: ClusterState,
  requests: readonly PlacementRequest[],
  options: PlacementOptions = {},
): Placement[] {
  const pending: PendingCreation[] = [...(cluster.pending ?? [])];
  const placements: Placement[] = [];
  for (const request of requests) {
    const placement = placeInstance({ ...cluster, pending }, request, options);
    const placementGroup = request.config?.[PLACEMENT_GROUP_KEY] || undefined;
    pending.push(placementGroup ? { member: placement.member, placementGroup } : { member: placement.member });
    placements.push(placement);
  }
  return placements;
}
