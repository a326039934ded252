import { Exclusion, ExclusionReason } from './types';

/** A request that cannot be placed. `status` is the HTTP status to answer it with. */
export class PlacementError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PlacementError';
  }
}

/** A `--target` that is not a member name or `@<group>`. */
export class InvalidTargetError extends PlacementError {
  constructor(readonly target: string) {
    super(`Invalid target "${target}": a cluster group target needs a name after "@"`, 400);
    this.name = 'InvalidTargetError';
  }
}

export type TargetMemberProblem = 'not-found' | 'offline' | 'evacuated' | 'architecture';

/** A member named with `--target` that cannot take the instance. */
export class TargetMemberError extends PlacementError {
  constructor(
    readonly member: string,
    readonly problem: TargetMemberProblem,
    /** The requested architecture and what the member supports, for `architecture`. */
    readonly architecture?: { requested: string; supported: readonly string[] },
  ) {
    super(targetMemberMessage(member, problem, architecture), problem === 'not-found' ? 404 : 400);
    this.name = 'TargetMemberError';
  }
}

function targetMemberMessage(
  member: string,
  problem: TargetMemberProblem,
  architecture?: { requested: string; supported: readonly string[] },
): string {
  switch (problem) {
    case 'not-found':
      return `Cluster member "${member}" not found`;
    case 'offline':
      return `Target cluster member "${member}" is offline`;
    case 'evacuated':
      return `Target cluster member "${member}" is evacuated`;
    case 'architecture': {
      const supported = architecture?.supported.length ? architecture.supported.join(', ') : 'none';
      const requested = architecture?.requested;
      return `Target cluster member "${member}" does not support architecture "${requested}" (supported: ${supported})`;
    }
  }
}

/** A `@<group>` target naming a group that does not exist. */
export class ClusterGroupNotFoundError extends PlacementError {
  constructor(readonly group: string) {
    super(`Cluster group "${group}" not found`, 404);
    this.name = 'ClusterGroupNotFoundError';
  }
}

/** No member can take an automatically placed instance; `exclusions` says why for each member. */
export class NoSuitableMemberError extends PlacementError {
  constructor(readonly exclusions: readonly Exclusion[]) {
    const why = exclusions.length ? exclusions.map(describeExclusion).join('; ') : 'the cluster has no members';
    super(`No suitable cluster member: ${why}`, 400);
    this.name = 'NoSuitableMemberError';
  }
}

/** One member's exclusion as a phrase, e.g. `n2 is offline`. */
export function describeExclusion(exclusion: Exclusion): string {
  return `${exclusion.member} ${describeReason(exclusion.reason)}`;
}

function describeReason(reason: ExclusionReason): string {
  switch (reason.kind) {
    case 'offline':
      return 'is offline';
    case 'evacuated':
      return 'is evacuated';
    case 'not-in-group':
      return `is not in cluster group ${reason.group}`;
    case 'scheduler-manual':
      return 'has scheduler.instance=manual';
    case 'scheduler-group':
      return 'has scheduler.instance=group and no cluster group was targeted';
    case 'architecture':
      return `does not support architecture ${reason.architecture}`;
  }
}
