import type { NodeId } from '@app/raft';
import type { MemberRef } from './db-errors';

/**
 * The address book of the cluster database: Raft node id → cluster address and member name. The
 * daemon fills it from the local database (raft_nodes) at start and updates it as members join,
 * leave or change address; the transport dials what it says.
 */
export class PeerDirectory {
  private peers = new Map<NodeId, MemberRef>();
  private readonly listeners = new Set<() => void>();

  constructor(peers: Iterable<MemberRef> = []) {
    this.replace(peers);
  }

  /** Replaces the whole directory; listeners hear of it when anything changed. */
  replace(peers: Iterable<MemberRef>): void {
    const next = new Map<NodeId, MemberRef>();
    for (const p of peers) {
      if (!Number.isSafeInteger(p.id) || p.id <= 0) throw new RangeError(`peer directory: bad node id ${p.id}`);
      next.set(p.id, { id: p.id, address: p.address, name: p.name });
    }
    const changed =
      next.size !== this.peers.size ||
      [...next].some(([id, p]) => {
        const old = this.peers.get(id);
        return !old || old.address !== p.address || old.name !== p.name;
      });
    this.peers = next;
    if (changed) for (const l of [...this.listeners]) l();
  }

  get(id: NodeId): MemberRef | undefined {
    return this.peers.get(id);
  }

  /** The member as errors name it; an unknown id still gets a reference. */
  ref(id: NodeId): MemberRef {
    return this.peers.get(id) ?? { id, address: '', name: '' };
  }

  all(): MemberRef[] {
    return [...this.peers.values()].sort((a, b) => a.id - b.id);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
