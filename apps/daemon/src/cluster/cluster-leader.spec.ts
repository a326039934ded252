import type { Databases } from '../database/databases';
import type { ServerConfig } from '../config-keys/server-config.service';
import type { WarningStore } from '../warnings/warning-store';
import { ClusterLeader } from './cluster-leader';
import type { ClusterMembers } from './cluster-members';
import type { PeerClient } from './peer-client';

const MEMBERS = [
  { id: 1, name: 'm1', address: '10.0.0.1:8443' },
  { id: 2, name: 'm2', address: '10.0.0.2:8443' },
  { id: 3, name: 'm3', address: '10.0.0.3:8443' },
];

/** A leader (m1) of three members whose heartbeat requests are answered by `answer`. */
function leaderOfThree(answer: (address: string) => Promise<unknown>) {
  const writes: { sql: string; params: unknown[] }[] = [];
  const raftNodes = MEMBERS.map((m) => ({ ...m, role: 0 }));
  const databases = {
    clustered: true,
    cluster: { driver: { isLeader: () => true, id: 1 }, peers: { replace: () => undefined } },
    global: {
      status: () => ({ members: MEMBERS.map((m) => ({ id: m.id, address: m.address, role: 'voter', name: m.name })) }),
      exec: async (tx: { statements: { sql: string; params: unknown[] }[] }) => {
        writes.push(...tx.statements);
        return { index: 1, changes: 0, lastInsertRowid: 0, statements: [] };
      },
    },
    local: { raftNodes: () => raftNodes, replaceRaftNodes: () => undefined },
  } as unknown as Databases;
  const members = {
    offlineThresholdMs: async () => 20_000,
    records: async () => MEMBERS.map((m) => ({ ...m, heartbeat: null })),
  } as unknown as ClusterMembers;
  const peers = { lxd: (address: string) => answer(address) } as unknown as PeerClient;
  const warned: string[] = [];
  const warnings = { raise: async (_id: number, _type: unknown, message: string) => void warned.push(message), resolve: async () => undefined } as unknown as WarningStore;
  const leader = new ClusterLeader(databases, members, {} as ServerConfig, peers, warnings);
  return { leader, writes, warned };
}

describe('ClusterLeader heartbeats', () => {
  afterEach(() => jest.useRealTimers());

  it('records every member that answered as alive when it was asked, not when the slowest one answered', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-04T10:00:00.000Z') });
    const slow = (address: string) => (address === '10.0.0.3:8443' ? new Promise((r) => setTimeout(r, 2500)) : Promise.resolve());
    const { leader, writes } = leaderOfThree(slow);
    const round = leader.heartbeatNow();
    await jest.advanceTimersByTimeAsync(2500);
    await round;
    expect(writes).toHaveLength(1);
    expect(writes[0].sql).toMatch(/^UPDATE nodes SET heartbeat = \?/);
    expect(writes[0].params).toEqual(['2026-12-04T10:00:00.000Z', 1, 2, 3]);
  });

  it('records no heartbeat for a member that did not answer, and warns naming it', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-04T10:00:00.000Z') });
    const { leader, writes, warned } = leaderOfThree((address) => (address === '10.0.0.2:8443' ? Promise.reject(new Error('connection refused')) : Promise.resolve()));
    await leader.heartbeatNow();
    expect(writes[0].params).toEqual(['2026-12-04T10:00:00.000Z', 1, 3]);
    expect(warned).toEqual(['Failed to send heartbeat request to member m2 (10.0.0.2:8443): connection refused']);
  });
});
