import * as fs from 'node:fs';
import { type Membership, Role } from '@app/raft';
import type { ClusterDatabase } from '../cluster-database';
import { rewriteRaftMembership } from './membership-rewrite';
import { readRaftStoreSummary } from './raft-store-summary';
import { eventually } from '../eventually';
import { clusterTls, localRowKeys, startMember, type StoppedCluster, stoppedThreeMemberCluster, waitForLeader } from './test-three-members';
import type { ClusterTls } from '../transport/cluster-tls';

jest.setTimeout(60_000);

describe('rewriteRaftMembership on the state of a real three-member cluster', () => {
  let tls: ClusterTls;
  let cluster: StoppedCluster;
  const running: ClusterDatabase[] = [];

  beforeAll(async () => {
    tls = await clusterTls();
  });
  beforeEach(async () => {
    cluster = await stoppedThreeMemberCluster(30, { tls });
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
    fs.rmSync(cluster.root, { recursive: true, force: true });
  });

  it('after a quorum loss, makes one member the only voter: alone it is elected, has every row and commits new writes', async () => {
    const survivor = cluster.members[2];
    const result = rewriteRaftMembership(survivor.dir, [{ id: survivor.id, role: Role.Voter }]);
    expect(result.previousMembership).toEqual(cluster.members.map((m) => ({ id: m.id, role: Role.Voter })));
    expect(result.membership).toEqual([{ id: 3, role: Role.Voter }]);
    expect(readRaftStoreSummary(survivor.dir).membership).toEqual([{ id: 3, role: Role.Voter }]);

    const alone = await startMember(survivor, [survivor], tls);
    running.push(alone);
    await waitForLeader([alone]);
    await alone.ready(15_000);
    expect(alone.driver.membership()).toEqual([{ id: 3, role: Role.Voter }]);
    const rows = await alone.db.query<{ key: string }>("SELECT key FROM config WHERE key LIKE 'user.row%' ORDER BY key");
    expect(rows.map((r) => r.key)).toEqual(cluster.rows);
    const w = await alone.db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: ['user.after', 'recovered'] }] });
    expect(w.changes).toBe(1);
    expect(await alone.db.query('SELECT value FROM config WHERE key = ?', ['user.after'])).toEqual([{ value: 'recovered' }]);
  });

  it('changes roles on every member: restarted, the members form the cluster described and replicate to the stand-by', async () => {
    const membership: Membership = [
      { id: 1, role: Role.Voter },
      { id: 2, role: Role.Voter },
      { id: 3, role: Role.Standby },
    ];
    for (const m of cluster.members) rewriteRaftMembership(m.dir, membership);

    for (const m of cluster.members) running.push(await startMember(m, cluster.members, tls));
    const leader = await waitForLeader(running);
    expect(leader.driver.id).not.toBe(3);
    for (const c of running) expect(c.driver.membership()).toEqual(membership);
    const rows = await running[2].db.query<{ key: string }>("SELECT key FROM config WHERE key LIKE 'user.row%' ORDER BY key");
    expect(rows.map((r) => r.key)).toEqual(cluster.rows);
    await running[2].db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: ['user.row999', 'after'] }] });
    for (const c of running) await eventually(() => localRowKeys(c).includes('user.row999'), `member ${c.driver.id} applying the new row`);
    for (const c of running) expect(localRowKeys(c)).toEqual([...cluster.rows, 'user.row999']);
  });

  it('leaves the other members untouched', () => {
    const before = cluster.members.map((m) => readRaftStoreSummary(m.dir));
    rewriteRaftMembership(cluster.members[0].dir, [{ id: 1, role: Role.Voter }]);
    expect(readRaftStoreSummary(cluster.members[1].dir)).toEqual(before[1]);
    expect(readRaftStoreSummary(cluster.members[2].dir)).toEqual(before[2]);
  });
});
