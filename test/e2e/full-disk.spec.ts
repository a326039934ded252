/**
 * A member whose disk fills up, end to end: four built `cubed` processes on loopback formed with
 * `cubed init --preseed`, the third with its state directory on a small tmpfs of its own. Needs
 * root (for the mount) and `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DaemonCluster } from './support/daemon-cluster';

jest.setTimeout(180_000);

const FULL = 2;
/** What the full member's disk holds when it is made full: more than one write needs, less than a few. */
const ROOM_LEFT_BYTES = 1 << 20;

describe('a member whose disk fills up', () => {
  let c: DaemonCluster;
  let mounted = '';
  const filler = (): string => path.join(mounted, 'filler');

  beforeAll(async () => {
    c = await DaemonCluster.create(4, { CUBED_DB_REOPEN_AFTER_MS: '1000' });
    mounted = c.member(FULL).dir;
    fs.mkdirSync(mounted, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', mounted]);
    await c.startAll();
    await c.bootstrap(0, { 'cluster.offline_threshold': '4' });
    for (const i of [1, 2, 3]) await c.joinWithToken(i, 0);
  });

  afterAll(async () => {
    // The members stop before their directories go, the mount before the directory it is on.
    await Promise.all((c?.members ?? []).map((m) => m.kill()));
    if (mounted) execFileSync('umount', ['--lazy', mounted], { stdio: 'ignore' });
    await c?.destroy();
  });

  it('stops its database, is replaced as a voter, and comes back by itself once there is room', async () => {
    const name = c.member(FULL).name;
    await c.waitFor(async () => {
      const list = await c.list(0);
      const me = list.find((m) => m.server_name === name);
      return me?.roles.includes('database') && list.every((m) => m.status === 'Online') ? true : undefined;
    }, 30_000, `${name} a voter and every member online`);
    const leader = await c.leader();
    expect(leader).not.toBe(FULL);

    const { bavail, bsize } = fs.statfsSync(mounted);
    fs.writeFileSync(filler(), Buffer.alloc(Math.max(0, bavail * bsize - ROOM_LEFT_BYTES)));

    // Writes through the leader go on being acknowledged while the member's disk fills up.
    const written: string[] = [];
    const description = 'x'.repeat(2000);
    let stopped: { status: number; error: string } | undefined;
    for (let round = 0; round < 60 && !stopped; round++) {
      const names = Array.from({ length: 50 }, (_, k) => `full-${round}-${k}`);
      await Promise.all(names.map((n) => c.member(leader).api('POST', '/1.0/profiles', { name: n, description })));
      written.push(...names);
      const r = await c.member(FULL).request('GET', '/1.0/profiles');
      if (r.status !== 200) stopped = { status: r.status, error: String(r.json?.error) };
    }
    expect(stopped).toMatchObject({ status: 503, error: expect.stringMatching(/no space left on device|disk is full/) });

    // The others stop counting on it: Offline, and the standby takes its place among the voters.
    const replaced = await c.waitFor(async () => {
      const list = await c.list(leader);
      const me = list.find((m) => m.server_name === name)!;
      const voters = list.filter((m) => m.roles.includes('database') || m.roles.includes('database-leader'));
      return me.status === 'Offline' && !me.roles.includes('database') && voters.length === 3 ? list : undefined;
    }, 30_000, `${name} Offline and replaced as a voter`);
    expect(replaced.find((m) => m.server_name === name)?.message).toMatch(/No heartbeat/);
    await c.member(leader).api('POST', '/1.0/profiles', { name: 'after-full' });
    written.push('after-full');

    // Room again: it opens its database again by itself, catches up and is a working member.
    fs.rmSync(filler());
    await c.waitFor(async () => {
      const me = (await c.list(leader)).find((m) => m.server_name === name);
      return me?.status === 'Online' && me.database ? true : undefined;
    }, 60_000, `${name} Online with a database role again`);
    const names = (await c.member(FULL).api<string[]>('GET', '/1.0/profiles')).map((u) => u.split('/').pop()!);
    expect(names).toEqual(expect.arrayContaining(written));
  });
});
