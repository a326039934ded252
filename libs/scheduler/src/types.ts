/**
 * Data types of instance placement. Everything here is plain data: the scheduler reads the cluster's state as
 * given and never touches the database, the network or the clock.
 */

/** A member's status as the cluster reports it. */
export type MemberStatus = 'Online' | 'Offline' | 'Evacuated';

/**
 * The member config key `scheduler.instance`:
 * - `all` (the default): the member takes part in automatic placement;
 * - `manual`: instances land on it only when it is targeted by name (`--target <member>`);
 * - `group`: instances land on it only when one of its cluster groups is targeted (`--target @<group>`), or it
 *   is targeted by name.
 */
export type SchedulerInstance = 'all' | 'manual' | 'group';

/** The instance config key whose value names an anti-affinity group. */
export const PLACEMENT_GROUP_KEY = 'placement.group';

/** What a member last reported about its resources. Every field is optional; missing means not reported. */
export interface MemberResources {
  /** Total memory, in bytes. */
  memoryTotal?: number;
  /** Memory in use, in bytes. */
  memoryUsed?: number;
  /** Number of logical CPUs. */
  cpuCount?: number;
  /** One-minute load average. Used with `cpuCount` when `cpuUsage` is missing. */
  cpuLoad?: number;
  /** Busy fraction of all CPUs together, from 0 (idle) to 1 (fully busy). */
  cpuUsage?: number;
}

export interface MemberState {
  name: string;
  status: MemberStatus;
  /** `scheduler.instance` from the member's config; missing means `all`. */
  schedulerInstance?: SchedulerInstance;
  /** Architectures the member can run, e.g. `['x86_64', 'i686']`. */
  architectures: readonly string[];
  /** Cluster groups the member belongs to. */
  groups: readonly string[];
  /** Instances on the member. */
  instances: number;
  /** The member's instances counted per `placement.group` value (instances without one are not counted). */
  placementGroups?: Readonly<Record<string, number>>;
  resources?: MemberResources;
}

/** An instance creation that has been placed but is not yet in the member's instance count. */
export interface PendingCreation {
  member: string;
  /** The `placement.group` of the instance being created, if it has one. */
  placementGroup?: string;
}

export interface ClusterState {
  members: readonly MemberState[];
  /** Creations in flight; each counts like an instance on its member. Entries for unknown members are ignored. */
  pending?: readonly PendingCreation[];
  /**
   * Every cluster group, including groups without members. A `@group` target is known if it is listed here or
   * in some member's `groups`.
   */
  groups?: readonly string[];
}

export interface PlacementRequest {
  /** Architecture the instance needs; missing or empty means any. */
  architecture?: string;
  /** `<member>`, `@<group>`, or missing/empty for automatic placement. */
  target?: string;
  /** The instance's config; `placement.group` turns on anti-affinity. */
  config?: Readonly<Record<string, string>>;
}

export interface PlacementOptions {
  /** Rank members by the resource-aware score instead of the plain instance count. Off by default. */
  resourceAware?: boolean;
  /** Weight of memory pressure in the resource-aware score (default DEFAULT_MEMORY_WEIGHT). */
  memoryWeight?: number;
  /** Weight of CPU pressure in the resource-aware score (default DEFAULT_CPU_WEIGHT). */
  cpuWeight?: number;
}

/** A parsed `--target`. */
export type Target = { kind: 'any' } | { kind: 'member'; name: string } | { kind: 'group'; name: string };

/** Why a member cannot take an automatically placed instance. */
export type ExclusionReason =
  | { kind: 'offline' }
  | { kind: 'evacuated' }
  | { kind: 'not-in-group'; group: string }
  | { kind: 'scheduler-manual' }
  | { kind: 'scheduler-group' }
  | { kind: 'architecture'; architecture: string };

export interface Exclusion {
  member: string;
  reason: ExclusionReason;
}

/** A candidate with the keys it was ranked by, best first in a ranking. */
export interface RankedCandidate {
  member: string;
  /** Instances of the request's `placement.group` on the member, pending ones included (0 without anti-affinity). */
  placementGroupInstances: number;
  /** Instances on the member, pending ones included. */
  instances: number;
  /** The ranking score: `instances`, or the resource-aware score when that option is on. Lower is better. */
  score: number;
}

export interface Placement {
  /** The chosen member. */
  member: string;
  /** True when the request named the member with `--target`. */
  targeted: boolean;
  /** The candidates in ranked order (the first is `member`); empty for a targeted placement. */
  ranking: readonly RankedCandidate[];
}
