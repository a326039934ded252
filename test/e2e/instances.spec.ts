/**
 * Containers end to end on a 4-member cluster of built `cubed` processes, with the real LXD 5.0.2
 * client (`lxc`) and pylxd: a busybox image built from Debian's busybox-static is imported, then
 * containers are launched with and without --target, listed, snapshotted, restored, stopped and
 * deleted; eight launches without a target spread evenly over the members. Runs real LXC
 * containers (root). Needs `npm run build`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBusyboxTarball, DEFAULT_POOL_PRESEED } from './support/container-fixtures';
import { DaemonCluster } from './support/daemon-cluster';
import {
  checkEscapeRefused,
  checkExecExitCodes,
  checkExecOutput,
  checkExecStdin,
  checkFilePushPull,
  checkInteractiveExec,
  checkPylxdExecute,
  checkPylxdFiles,
  checkRecursivePushPull,
  LxcClient,
} from './support/instance-io-checks';
import { CUBE, run } from './support/member-process';

jest.setTimeout(300_000);

const LXC = '/usr/bin/lxc';
const run_id = Math.random().toString(36).slice(2, 6);
/** Instance names unique to this run: containers of other runs on this host never collide. */
const name = (base: string) => `${base}-${run_id}`;


/** The memory limit of the cgroup process `pid` is in, as the host sees it (cgroup v1 or v2). */
function memoryLimitOf(pid: number): string {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines.find((l) => l.split(':')[1].split(',').includes('memory'));
  if (v1) return fs.readFileSync(`/sys/fs/cgroup/memory${v1.split(':')[2]}/memory.limit_in_bytes`, 'utf8').trim();
  const v2 = lines.find((l) => l.startsWith('0::'));
  return fs.readFileSync(`/sys/fs/cgroup${v2!.slice(3)}/memory.max`, 'utf8').trim();
}

describe('containers on a 4-member cluster', () => {
  let c: DaemonCluster;
  let imagePath: string;
  let scratch: string;
  const lxc = (i: number, ...args: string[]) => run(LXC, args, c.member(i).clientEnv, undefined, 120_000);

  beforeAll(async () => {
    if (!fs.existsSync(LXC)) throw new Error(`${LXC} is missing: install Debian's lxd-client`);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-instances-'));
    imagePath = await buildBusyboxTarball(scratch);
    c = await DaemonCluster.create(4);
    await c.startAll();
    const config = { 'core.https_address': c.addresses[0], 'core.trust_password': 'sekret' };
    const r = await c.init(0, `config:\n${Object.entries(config).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}\n${DEFAULT_POOL_PRESEED}cluster:\n  server_name: m1\n  enabled: true\n`);
    if (r.code !== 0) throw new Error(`bootstrap failed: ${r.stderr}\n${c.member(0).log}`);
    for (let i = 1; i < 4; i++) await c.joinWithToken(i, 0);
    const imported = await lxc(0, 'image', 'import', imagePath, '--alias', 'bb');
    if (imported.code !== 0) throw new Error(`lxc image import failed: ${imported.stderr}`);
  });

  afterAll(async () => {
    await c?.destroy();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('has the default pool on every member, and the joiners got it at their own paths', async () => {
    const pool = await c.member(2).api<{ status: string; locations: string[]; driver: string }>('GET', '/1.0/storage-pools/default');
    expect(pool).toMatchObject({ status: 'Created', driver: 'dir' });
    expect([...pool.locations].sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
    const onM3 = await c.member(0).api<{ config: { source: string } }>('GET', '/1.0/storage-pools/default?target=m3');
    expect(onM3.config.source).toBe(path.join(c.member(2).dir, 'storage-pools', 'default'));
    const storage = await lxc(1, 'storage', 'list', '--format', 'csv');
    expect(storage).toMatchObject({ code: 0 });
    expect(storage.stdout).toMatch(/^default,dir,/m);
  });

  it('imports an image, launches with and without --target, lists, snapshots, restores, stops and deletes', async () => {
    expect((await lxc(3, 'image', 'list', '--format', 'csv', '-c', 'l')).stdout).toMatch(/^bb$/m);
    const c1 = name('c1');
    const c2 = name('c2');
    expect(await lxc(1, 'launch', 'bb', c1)).toMatchObject({ code: 0 });
    expect(await lxc(0, 'launch', 'bb', c2, '--target', 'm3')).toMatchObject({ code: 0 });

    const listed = await lxc(3, 'list', '--format', 'csv', '-c', 'nsL');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toContain(`${c2},RUNNING,m3`);
    expect(listed.stdout).toMatch(new RegExp(`^${c1},RUNNING,m[1-4]$`, 'm'));

    const info = await lxc(0, 'info', c2);
    expect(info).toMatchObject({ code: 0 });
    expect(info.stdout).toMatch(/Status: RUNNING/);
    expect(info.stdout).toMatch(/Location: m3/);

    // A snapshot of the running container, restored after a change to its root filesystem.
    expect(await lxc(2, 'snapshot', c2, 'snap0')).toMatchObject({ code: 0 });
    const rootfs = path.join(c.member(2).dir, 'storage-pools', 'default', 'containers', c2, 'rootfs');
    fs.writeFileSync(path.join(rootfs, 'marker'), 'after the snapshot\n');
    expect((await lxc(0, 'info', c2)).stdout).toMatch(/snap0/);
    expect(await lxc(1, 'restore', c2, 'snap0')).toMatchObject({ code: 0 });
    expect(fs.existsSync(path.join(rootfs, 'marker'))).toBe(false);
    expect((await lxc(0, 'list', c2, '--format', 'csv', '-c', 's')).stdout.trim()).toBe('RUNNING');
    expect(await lxc(0, 'delete', `${c2}/snap0`)).toMatchObject({ code: 0 });

    expect(await lxc(0, 'stop', c1)).toMatchObject({ code: 0 });
    expect((await lxc(2, 'list', c1, '--format', 'csv', '-c', 's')).stdout.trim()).toBe('STOPPED');
    expect(await lxc(2, 'delete', c1)).toMatchObject({ code: 0 });
    const running = await lxc(1, 'delete', c2);
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/running/i);
    expect(await lxc(1, 'delete', '-f', c2)).toMatchObject({ code: 0 });
    expect((await lxc(0, 'list', '--format', 'csv')).stdout.trim()).toBe('');
    // Nothing is left in the members' lxcpaths.
    for (const m of c.members) {
      const lxcPath = path.join(m.dir, 'containers');
      expect(fs.existsSync(lxcPath) ? fs.readdirSync(lxcPath).filter((n) => n.endsWith(run_id)) : []).toEqual([]);
    }
  });

  it('runs exec and file transfers on a container of another member, with lxc and pylxd', async () => {
    const io = name('io');
    expect(await lxc(0, 'launch', 'bb', io, '--target', 'm4')).toMatchObject({ code: 0 });
    // Asked on m2: the requests are forwarded to m4, the websockets relayed.
    const client = LxcClient.create(c.member(1).dir);
    try {
      await checkExecOutput(client, io);
      await checkExecExitCodes(client, io);
      await checkExecStdin(client, io);
      await checkInteractiveExec(client, io);
      await checkFilePushPull(client, io);
      await checkRecursivePushPull(client, io);
      await checkEscapeRefused(client, io);
      await checkPylxdExecute(c.member(2).socket, io);
      await checkPylxdFiles(c.member(0).socket, io);
    } finally {
      client.cleanup();
      await lxc(0, 'delete', '-f', io);
    }
  });

  it('applies every one of several edits sent at once without If-Match, through different members', async () => {
    const ed = name('ed');
    expect(await lxc(0, 'init', 'bb', ed, '--target', 'm2')).toMatchObject({ code: 0 });
    try {
      await Promise.all(Array.from({ length: 8 }, (_, i) => c.member(i % 4).api('PATCH', `/1.0/instances/${ed}`, { config: { [`user.k${i}`]: String(i) } })));
      const inst = await c.member(3).api<{ config: Record<string, string> }>('GET', `/1.0/instances/${ed}`);
      expect(Object.keys(inst.config).filter((k) => k.startsWith('user.k'))).toHaveLength(8);
    } finally {
      await lxc(0, 'delete', '-f', ed);
    }
  });

  it('checks a profile change against the instances that use it, and applies it to the running ones', async () => {
    const pr = name('pr');
    const pi = name('pi');
    expect(await lxc(0, 'profile', 'create', pr)).toMatchObject({ code: 0 });
    try {
      expect(await lxc(0, 'profile', 'device', 'add', pr, 'root', 'disk', 'path=/', 'pool=default')).toMatchObject({ code: 0 });
      expect(await lxc(1, 'launch', 'bb', pi, '--profile', pr, '--target', 'm3')).toMatchObject({ code: 0 });
      const removed = await lxc(2, 'profile', 'device', 'remove', pr, 'root');
      expect(removed).toMatchObject({ code: 1, stderr: expect.stringContaining(`instance "${pi}" would be invalid`) });
      expect(removed.stderr).toContain('No root device could be found');
      expect((await lxc(3, 'profile', 'device', 'show', pr)).stdout).toMatch(/^root:$/m);
      // Set through m2, the limit reaches the running container on m3 at once.
      expect(await lxc(1, 'profile', 'set', pr, 'limits.memory', '64MiB')).toMatchObject({ code: 0 });
      const { pid } = await c.member(0).api<{ pid: number }>('GET', `/1.0/instances/${pi}/state`);
      expect(memoryLimitOf(pid)).toBe(String(64 * 1024 * 1024));
    } finally {
      await lxc(0, 'delete', '-f', pi);
      await lxc(0, 'profile', 'delete', pr);
    }
  });

  it('drives containers with cube: launch, list, info, exec, file, snapshot, restore, stop, start, delete, image', async () => {
    const cube = (i: number, args: string[], input?: string) => run(CUBE, args, c.member(i).clientEnv, input, 120_000);
    const cc = name('cube');
    expect((await cube(2, ['image', 'list', '--format', 'csv'])).stdout).toMatch(/^bb,/m);
    expect(await cube(1, ['launch', 'bb', cc, '--target', 'm3', '-c', 'limits.memory=64MiB'])).toMatchObject({ code: 0 });
    const listed = await cube(0, ['list', '--format', 'csv', '-c', 'nsL']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toContain(`${cc},RUNNING,m3`);
    const info = await cube(3, ['info', cc]);
    expect(info.stdout).toMatch(/Status: RUNNING/);
    expect(info.stdout).toMatch(/Location: m3/);
    expect(await cube(0, ['exec', cc, '--', 'sh', '-c', 'exit 7'])).toMatchObject({ code: 7 });
    expect(await cube(0, ['exec', cc, '--', 'cat'], 'through stdin\n')).toMatchObject({ code: 0, stdout: 'through stdin\n' });
    const local = path.join(scratch, 'hello.txt');
    fs.writeFileSync(local, 'hello from cube\n');
    expect(await cube(1, ['file', 'push', local, `${cc}/root/hello.txt`])).toMatchObject({ code: 0 });
    expect(await cube(2, ['file', 'pull', `${cc}/root/hello.txt`, '-'])).toMatchObject({ code: 0, stdout: 'hello from cube\n' });
    expect(await cube(0, ['snapshot', cc, 'before'])).toMatchObject({ code: 0 });
    expect(await cube(0, ['exec', cc, '--', 'rm', '/root/hello.txt'])).toMatchObject({ code: 0 });
    expect(await cube(0, ['restore', cc, 'before'])).toMatchObject({ code: 0 });
    expect(await cube(2, ['file', 'pull', `${cc}/root/hello.txt`, '-'])).toMatchObject({ code: 0, stdout: 'hello from cube\n' });
    expect(await cube(0, ['stop', cc])).toMatchObject({ code: 0 });
    expect((await cube(0, ['list', cc, '--format', 'csv', '-c', 's'])).stdout.trim()).toBe('STOPPED');
    expect(await cube(0, ['start', cc])).toMatchObject({ code: 0 });
    const running = await cube(0, ['delete', cc]);
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/^Error: /m);
    expect(await cube(0, ['delete', '-f', cc])).toMatchObject({ code: 0 });
    expect((await cube(0, ['list', '--format', 'csv'])).stdout).not.toContain(cc);
  });

  it('answers bad requests with clear errors in the LXD envelope', async () => {
    const m = c.member(0);
    let r = await m.request('POST', '/1.0/instances', { name: 'Bad_Name', source: { type: 'image', alias: 'bb' } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ type: 'error', error_code: 400, error: expect.stringMatching(/Invalid instance name/) });
    r = await m.request('POST', '/1.0/instances', { name: name('x1'), source: { type: 'image', alias: 'nope' } });
    expect(r.status).toBe(404);
    r = await m.request('POST', '/1.0/instances', { name: name('x1'), source: { type: 'image', alias: 'bb' }, config: { 'raw.lxc': 'x' } });
    expect(r.json.error).toMatch(/Unknown configuration key: raw.lxc/);
    r = await m.request('POST', '/1.0/instances?target=m9', { name: name('x1'), source: { type: 'image', alias: 'bb' } });
    expect(r.status).toBe(404);
    r = await m.request('GET', `/1.0/instances/${name('missing')}`);
    expect(r).toMatchObject({ status: 404, json: { error: 'Instance not found' } });
    r = await m.request('PUT', `/1.0/instances/${name('missing')}/state`, { action: 'start' });
    expect(r.status).toBe(404);
  });

  it('spreads eight launches without a target over the members, at most one apart', async () => {
    const names = Array.from({ length: 8 }, (_, i) => name(`s${i}`));
    for (const [i, n] of names.entries()) expect(await lxc(i % 4, 'launch', 'bb', n)).toMatchObject({ code: 0 });
    const all = await c.member(1).api<Array<{ name: string; location: string; status: string }>>('GET', '/1.0/instances?recursion=1');
    const counts = new Map<string, number>();
    for (const i of all.filter((x) => names.includes(x.name))) counts.set(i.location, (counts.get(i.location) ?? 0) + 1);
    const values = ['m1', 'm2', 'm3', 'm4'].map((m) => counts.get(m) ?? 0);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    expect(all.filter((x) => names.includes(x.name)).every((x) => x.status === 'Running')).toBe(true);
    for (const n of names) expect(await lxc(0, 'delete', '-f', n)).toMatchObject({ code: 0 });
  });

  it('places in a cluster group with --target @group, and spreads a placement.group across members', async () => {
    expect(await lxc(0, 'cluster', 'group', 'create', 'edge')).toMatchObject({ code: 0 });
    expect(await lxc(0, 'cluster', 'group', 'assign', 'm2', 'default,edge')).toMatchObject({ code: 0 });
    expect(await lxc(1, 'cluster', 'group', 'assign', 'm3', 'default,edge')).toMatchObject({ code: 0 });
    const edge = [name('e1'), name('e2')];
    for (const n of edge) expect(await lxc(0, 'init', 'bb', n, '--target', '@edge')).toMatchObject({ code: 0 });
    const where = async (names: string[]) =>
      (await c.member(2).api<Array<{ name: string; location: string }>>('GET', '/1.0/instances?recursion=1')).filter((i) => names.includes(i.name)).map((i) => i.location).sort();
    expect(await where(edge)).toEqual(['m2', 'm3']);
    // Two more on m1: by instance count alone, the 4th instance of the group would go to m4 again.
    const busy = [name('b1'), name('b2')];
    for (const n of busy) expect(await lxc(0, 'init', 'bb', n, '--target', 'm1')).toMatchObject({ code: 0 });
    const web = [name('w1'), name('w2'), name('w3'), name('w4')];
    for (const n of web) expect(await lxc(3, 'init', 'bb', n, '-c', 'placement.group=web')).toMatchObject({ code: 0 });
    expect(await where(web)).toEqual(['m1', 'm2', 'm3', 'm4']);
    const unknown = await lxc(0, 'init', 'bb', name('x'), '--target', '@nowhere');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Cluster group "nowhere" not found/);
    for (const n of [...edge, ...busy, ...web]) expect(await lxc(0, 'delete', n)).toMatchObject({ code: 0 });
  });

  it('serves pylxd through the containers API', async () => {
    const cname = name('py');
    const script = `
import json, sys
import pylxd
client = pylxd.Client(endpoint='http+unix://' + sys.argv[1].replace('/', '%2F'))
ct = client.containers.create({'name': sys.argv[2], 'source': {'type': 'image', 'alias': 'bb'}}, wait=True)
ct.start(wait=True)
ct = client.containers.get(sys.argv[2])
names = [x.name for x in client.containers.all()]
status = ct.status
ct.stop(wait=True)
stopped = client.containers.get(sys.argv[2]).status
ct.delete(wait=True)
print(json.dumps({'names': names, 'status': status, 'stopped': stopped, 'left': [x.name for x in client.containers.all()]}))
`;
    const r = await run('/usr/bin/python3', ['-c', script, c.member(2).socket, cname], process.env, undefined, 120_000);
    if (r.code !== 0) throw new Error(`pylxd failed (${r.code}): ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.names).toContain(cname);
    expect(out).toMatchObject({ status: 'Running', stopped: 'Stopped' });
    expect(out.left).not.toContain(cname);
  });
});
