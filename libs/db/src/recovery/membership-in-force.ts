/**
 * The Raft membership a node loads from its stored state: the membership in the snapshot's meta,
 * changed by every membership-change entry after the snapshot, committed or not (as RaftNode
 * computes it when it starts).
 */
import { applyConfChange, decodeConfChange, type Entry, EntryType, type Membership, type PersistedState } from '@app/raft';

export function membershipInForce(st: Pick<PersistedState, 'snapshot' | 'entries'>): Membership {
  const from = st.snapshot?.meta.index ?? 0;
  let membership: Membership = st.snapshot?.meta.membership ?? [];
  for (const e of st.entries) {
    if (e.type === EntryType.ConfChange && e.index > from) membership = applyConfChange(membership, decodeConfChange(e.data));
  }
  return membership;
}

/** The membership-change entries among `entries`. */
export function confChangeEntries(entries: readonly Entry[]): Entry[] {
  return entries.filter((e) => e.type === EntryType.ConfChange);
}

/** The same members with the same roles, in any order. */
export function sameMembership(a: Membership, b: Membership): boolean {
  if (a.length !== b.length) return false;
  const roles = new Map(a.map((m) => [m.id, m.role]));
  return b.every((m) => roles.get(m.id) === m.role);
}

/** The membership ordered by member id (the form written to disk, identical on every member). */
export function sortedMembership(m: Membership): Membership {
  return [...m].sort((x, y) => x.id - y.id).map((x) => ({ id: x.id, role: x.role }));
}
