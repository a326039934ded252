/** What bench:api needs from a running 4-member cluster, be it Cubed or LXD. */
import type { MemberTimings, RunningMember } from '../../deploy/local-cluster/bring-up';

export type SystemName = 'cubed' | 'lxd';

/** A client command run as a new process. */
export interface ListMembersCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface ClusterUnderTest {
  system: SystemName;
  members: RunningMember[];
  /** How each member was started and joined, measured while the cluster came up. */
  timings: MemberTimings[];
  /** The system's own client listing the cluster members, run as a new process (`cube` / `lxc cluster list`). */
  listMembersCommand(member: RunningMember): ListMembersCommand;
  /** The database leader's member name, as the cluster itself reports it. */
  databaseLeader(): Promise<string>;
  /** SIGKILL of the member's daemon process. */
  kill(member: RunningMember): void;
  /** Starts the member's daemon again on its state directory and waits until its socket answers. */
  restart(member: RunningMember): Promise<void>;
  /** Stops every daemon and removes everything the cluster was given (directories, namespaces). */
  destroy(): Promise<void>;
}
