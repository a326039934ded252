/** How the recovery commands name members and memberships in what they print. */
import type { RaftNodeInfo } from '@app/db';
import type { Membership } from '@app/raft';
import { membershipRoleName } from './raft-role-names';

/** `m2 (id 2, 10.0.0.2:8443)`, or `id 2 (10.0.0.2:8443)` without a name; `detail` is added inside the brackets. */
export function memberLabel(node: Pick<RaftNodeInfo, 'id' | 'name' | 'address'>, detail?: string): string {
  const inside = [node.address, ...(detail ? [detail] : [])].join(', ');
  return node.name ? `${node.name} (id ${node.id}, ${inside})` : `id ${node.id} (${inside})`;
}

/** `1 log entry`, `3 log entries`. */
export function logEntries(n: number): string {
  return n === 1 ? '1 log entry' : `${n} log entries`;
}

/** `1 voter, 2 voter, 3 stand-by`. */
export function membershipText(membership: Membership): string {
  return membership.map((m) => `${m.id} ${membershipRoleName(m.role)}`).join(', ');
}
