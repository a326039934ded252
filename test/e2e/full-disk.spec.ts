/**
 * Members whose disks fill up, end to end: four built `cubed` processes on loopback formed with
 * `cubed init --preseed`, the first (the leader) and the third each with its state directory on a
 * small tmpfs of its own. Needs root (for the mounts) and `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DaemonCluster } from './support/daemon-cluster';

jest.setTimeout(180_000);

/** Members on a tmpfs: the bootstrap member (it leads) and a voter that follows. */
const LEADER = 0;
const FOLLOWER = 2;
/** What a full member's disk holds when it is made full: more than one write needs, less than a few. */
const ROOM_LEFT_BYTES = 1 << 20;

describe('members whose disks fill up', () => {
  let c: DaemonCluster;
  const mounted: string[] = [];
  const filler = (i: number): string => path.join(c.member(i).dir, 'filler');
  const voters = (list: Awaited<ReturnType<DaemonCluster['list']>>) => list.filter((m) => m.roles.includes('database'));

  beforeAll(async () => {
    c = await DaemonCluster.create(4, { CUBED_DB_REOPEN_AFTER_MS: '1000' });
    for (const i of [LEADER, FOLLOWER]) {
      fs.mkdirSync(c.member(i).dir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', c.member(i).dir]);
      mounted.push(c.member(i).dir);
    }
    await c.startAll();
    await c.bootstrap(0, { 'cluster.offline_threshold': '4' });
    for (const i of [1, 2, 3]) await c.joinWithToken(i, 0);
  });

  afterAll(async () => {
    // The members stop before their directories go, the mounts before the directories they are on.
    await Promise.all((c?.members ?? []).map((m) => m.kill()));
    for (const dir of mounted) execFileSync('umount', ['--lazy', dir], { stdio: 'ignore' });
    await c?.destroy();
  });

  /** Waits until `full` votes and every member is online; returns the leader. */
  async function settled(full: number): Promise<number> {
    const name = c.member(full).name;
    await c.waitFor(async () => {
      const list = await c.list(3);
      return voters(list).some((m) => m.server_name === name) && voters(list).length === 3 && list.every((m) => m.status === 'Online') ? true : undefined;
    }, 60_000, `${name} a voter, 3 voters and every member online`);
    return c.leader();
  }

  /** Fills `full`'s disk and writes through `via` until `full`'s database stops; returns what was written. */
  async function fillUp(full: number, via: number): Promise<string[]> {
    const { bavail, bsize } = fs.statfsSync(c.member(full).dir);
    fs.writeFileSync(filler(full), Buffer.alloc(Math.max(0, bavail * bsize - ROOM_LEFT_BYTES)));
    const written: string[] = [];
    const description = 'x'.repeat(2000);
    let stopped: { status: number; error: string } | undefined;
    for (let round = 0; round < 60 && !stopped; round++) {
      const names = Array.from({ length: 50 }, (_, k) => `full-${c.member(full).name}-${round}-${k}`);
      // Every write is acknowledged, also while the full member is the leader and stops.
      await Promise.all(names.map((n) => c.member(via).api('POST', '/1.0/profiles', { name: n, description })));
      written.push(...names);
      const r = await c.member(full).request('GET', '/1.0/profiles');
      if (r.status !== 200) stopped = { status: r.status, error: String(r.json?.error) };
    }
    expect(stopped).toMatchObject({ status: 503, error: expect.stringMatching(/no space left on device|disk is full/) });
    return written;
  }

  /** `full` shows Offline and another member took its place among the voters (through `via`). */
  async function replaced(full: number, via: number): Promise<void> {
    const name = c.member(full).name;
    const list = await c.waitFor(async () => {
      const l = await c.list(via);
      const me = l.find((m) => m.server_name === name)!;
      return me.status === 'Offline' && !me.roles.includes('database') && voters(l).length === 3 ? l : undefined;
    }, 30_000, `${name} Offline and replaced as a voter`);
    expect(list.find((m) => m.server_name === name)?.message).toMatch(/No heartbeat/);
  }

  /** Room again: `full` opens its database again by itself, catches up and holds every write in `written`. */
  async function backWithRoom(full: number, via: number, written: string[]): Promise<void> {
    const name = c.member(full).name;
    fs.rmSync(filler(full));
    await c.waitFor(async () => {
      const me = (await c.list(via)).find((m) => m.server_name === name);
      return me?.status === 'Online' && me.database ? true : undefined;
    }, 60_000, `${name} Online with a database role again`);
    const names = (await c.member(full).api<string[]>('GET', '/1.0/profiles')).map((u) => u.split('/').pop()!);
    expect(names).toEqual(expect.arrayContaining(written));
  }

  it('a voter whose disk is full stops its database, is replaced, and comes back by itself once there is room', async () => {
    const leader = await settled(FOLLOWER);
    expect(leader).toBe(LEADER);
    const written = await fillUp(FOLLOWER, leader);
    await replaced(FOLLOWER, leader);
    await c.member(leader).api('POST', '/1.0/profiles', { name: 'after-full' });
    await backWithRoom(FOLLOWER, leader, [...written, 'after-full']);
  });

  it('writes through the other members go on while the leader stops on a full disk', async () => {
    const leader = await settled(LEADER);
    expect(leader).toBe(LEADER);
    const via = 1;
    const written = await fillUp(LEADER, via);
    await replaced(LEADER, via);
    await backWithRoom(LEADER, via, written);
  });
});
