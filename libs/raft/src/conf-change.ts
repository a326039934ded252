import { ConfChange, Membership, NodeId, Role } from './types';

/** Encodes a membership change for a log entry. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(cc));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  return JSON.parse(new TextDecoder().decode(data)) as ConfChange;
}

/** The membership that results from applying `cc` to `current`. */
export function applyConfChange(current: Membership, cc: ConfChange): Membership {
  switch (cc.kind) {
    case 'bootstrap':
      return cc.membership.map((m) => ({ id: m.id, role: m.role }));
    case 'add':
      return [...current.filter((m) => m.id !== cc.id), { id: cc.id, role: cc.role }];
    case 'assign':
      return current.map((m) => (m.id === cc.id ? { id: m.id, role: cc.role } : m));
    case 'remove':
      return current.filter((m) => m.id !== cc.id);
  }
}

export function roleOf(membership: Membership, id: NodeId): Role | undefined {
  return membership.find((m) => m.id === id)?.role;
}

export function votersOf(membership: Membership): NodeId[] {
  return membership.filter((m) => m.role === Role.Voter).map((m) => m.id);
}

/** Members that receive the log: voters and standbys. */
export function replicasOf(membership: Membership): NodeId[] {
  return membership.filter((m) => m.role !== Role.Spare).map((m) => m.id);
}
