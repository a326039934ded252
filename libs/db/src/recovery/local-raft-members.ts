/**
 * Rewriting the Raft members a member's local database knows (raft_nodes) together with its own
 * cluster address (cluster.https_address), in one transaction: the daemon finds itself among the
 * members by that address when it starts, so the two must never disagree.
 */
import type { LocalDatabase, RaftNodeInfo } from '../local/local-database';

export const CLUSTER_ADDRESS_KEY = 'cluster.https_address';

export function replaceLocalRaftMembers(local: LocalDatabase, nodes: readonly RaftNodeInfo[], ownAddress: string): void {
  if (!nodes.some((n) => n.address === ownAddress)) {
    throw new RangeError(`the address ${ownAddress} is not among the Raft members (${nodes.map((n) => `${n.id}=${n.address}`).join(', ')})`);
  }
  local.connection
    .transaction(() => {
      local.replaceRaftNodes(nodes);
      local.setConfig(CLUSTER_ADDRESS_KEY, ownAddress);
    })
    .immediate();
}
