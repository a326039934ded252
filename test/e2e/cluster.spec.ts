/**
 * The cluster daemon end to end: four built `cubed` processes on loopback formed with
 * `cubed init --preseed` (bootstrap, joins by token and by trust password), driven through their
 * unix sockets with the real LXD 5.0.2 client (`lxc`, from Debian's lxd-client) and the API;
 * failover after kill -9 of the leader, rejoin, removal and re-adding. Needs `npm run build`.
 */
import * as fs from 'node:fs';
import WebSocket from 'ws';
import { DaemonCluster, encodeJoinToken } from './support/daemon-cluster';
import * as os from 'node:os';
import * as path from 'node:path';
import { CUBE, run, sleep } from './support/member-process';

jest.setTimeout(180_000);

const LXC = '/usr/bin/lxc';

describe('a 4-member cluster formed with cubed init', () => {
  let c: DaemonCluster;
  const lxc = (i: number, ...args: string[]) => run(LXC, args, c.member(i).clientEnv);

  beforeAll(async () => {
    if (!fs.existsSync(LXC)) throw new Error(`${LXC} is missing: install Debian's lxd-client`);
    c = await DaemonCluster.create(4);
    await c.startAll();
    await c.bootstrap(0, { 'cluster.offline_threshold': '4' });
  });

  afterAll(async () => {
    await c?.destroy();
  });

  it('bootstraps a cluster of one', async () => {
    const members = await c.list(0);
    expect(members).toEqual([expect.objectContaining({ server_name: 'm1', url: `https://${c.addresses[0]}`, roles: ['database-leader', 'database'], status: 'Online' })]);
    const info = await c.member(0).api<{ environment: { server_clustered: boolean; server_name: string } }>('GET', '/1.0');
    expect(info.environment).toMatchObject({ server_clustered: true, server_name: 'm1' });
  });

  it('refuses joins with a wrong fingerprint, a wrong password, an expired or a reused token, clearly', async () => {
    // A token whose fingerprint is not the cluster's: the newcomer refuses to talk to it.
    const meta = await c.token(0, 'm2');
    const forged = encodeJoinToken({ ...meta, fingerprint: '0'.repeat(64) });
    let r = await c.init(1, c.tokenPreseed(1, forged));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not present the expected certificate/);
    // The wrong password.
    r = await c.init(1, c.passwordPreseed(1, 0, 'wrong', c.clusterCertificate(0)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/trust password is not valid/);
    // Another cluster certificate than the one presented.
    r = await c.init(1, c.passwordPreseed(1, 0, 'sekret', fs.readFileSync(`${c.member(1).dir}/server.crt`, 'utf8')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not present the expected certificate/);
    // A token used once cannot be used again; a revoked one not at all.
    await c.member(0).api('DELETE', `/1.0/operations/${(await c.member(0).api<Record<string, { id: string; metadata: { serverName: string } }[]>>('GET', '/1.0/operations?recursion=1')).running.find((o) => o.metadata.serverName === 'm2')!.id}`);
    r = await c.init(1, c.tokenPreseed(1, encodeJoinToken(meta)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No join token found for member "m2"/);
    // An expired token.
    await c.member(0).api('PATCH', '/1.0', { config: { 'cluster.join_token_expiry': '1S' } });
    const short = await c.token(0, 'm2');
    await sleep(1500);
    r = await c.init(1, c.tokenPreseed(1, encodeJoinToken(short)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/expired/);
    await c.member(0).api('PATCH', '/1.0', { config: { 'cluster.join_token_expiry': '' } });
    // Nothing was admitted.
    expect((await c.list(0)).map((m) => m.server_name)).toEqual(['m1']);
  });

  it('joins members with a token (from lxc cluster add) and with the trust password', async () => {
    const add = await lxc(0, 'cluster', 'add', 'm2');
    expect(add).toMatchObject({ code: 0 });
    const token = add.stdout.trim().split('\n').pop()!;
    let r = await c.init(1, c.tokenPreseed(1, token));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    // The same token a second time: refused, it was used up.
    r = await c.init(2, c.tokenPreseed(2, token).replace('server_name: m3', 'server_name: m2'));
    expect(r.code).toBe(1);
    await c.joinWithToken(2, 1);
    await c.joinWithPassword(3, 2);
    // Roles settle: three voters and a standby.
    await c.waitFor(async () => {
      const roles = (await c.list(3)).map((m) => m.roles.join(','));
      return roles.filter((x) => x.includes('database-leader')).length === 1 &&
        roles.filter((x) => /(^|,)database($|,)/.test(x)).length === 3 &&
        roles.filter((x) => x === 'database-standby').length === 1
        ? true
        : undefined;
    }, 20_000, 'three voters and a standby');
  });

  it('answers the real lxc client: cluster list, cluster show, profiles, operations', async () => {
    const list = await lxc(1, 'cluster', 'list');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    for (const name of ['m1', 'm2', 'm3', 'm4']) expect(list.stdout).toMatch(new RegExp(`\\| ${name} +\\| https://127\\.0\\.0\\.1:\\d+ +\\|`));
    expect(list.stdout).toMatch(/\| NAME \| +URL +\| +ROLES +\| ARCHITECTURE \| FAILURE DOMAIN \| DESCRIPTION \| STATE +\| +MESSAGE +\|/);
    expect(list.stdout).toContain('database-leader');
    expect(list.stdout).toContain('ONLINE');
    const csv = await lxc(2, 'cluster', 'list', '--format', 'csv');
    expect(csv.stdout.trim().split('\n')).toHaveLength(4);
    const show = await lxc(3, 'cluster', 'show', 'm2');
    expect(show).toMatchObject({ code: 0 });
    expect(show.stdout).toMatch(/server_name: m2\n/);
    expect(show.stdout).toMatch(/status: Online\n/);
    expect(await lxc(0, 'profile', 'create', 'web')).toMatchObject({ code: 0, stdout: 'Profile web created\n' });
    const profiles = await lxc(3, 'profile', 'list', '--format', 'csv');
    expect(profiles.stdout).toMatch(/^web,/m);
    expect(await lxc(0, 'profile', 'create', 'web')).toMatchObject({ code: 1, stderr: expect.stringMatching(/already exists/) });
    expect(await lxc(1, 'profile', 'set', 'web', 'limits.cpu', '2')).toMatchObject({ code: 0 });
    expect(await lxc(2, 'profile', 'get', 'web', 'limits.cpu')).toMatchObject({ code: 0, stdout: '2\n' });
    expect(await lxc(2, 'profile', 'unset', 'web', 'limits.cpu')).toMatchObject({ code: 0 });
    expect(await lxc(3, 'profile', 'set', 'web', 'no.such.key', '1')).toMatchObject({ code: 1, stderr: expect.stringContaining('Unknown configuration key: no.such.key') });
    expect((await lxc(0, 'profile', 'show', 'web')).stdout).toMatch(/^config: \{\}$/m);
    expect(await lxc(2, 'profile', 'delete', 'web')).toMatchObject({ code: 0, stdout: 'Profile web deleted\n' });
    expect((await lxc(1, 'profile', 'list', '--format', 'csv')).stdout).not.toMatch(/^web,/m);
    // A join token not used yet is a running operation, listed by every member.
    const pending = await c.token(2, 'm9');
    const ops = await lxc(0, 'operation', 'list');
    expect(ops).toMatchObject({ code: 0 });
    expect(ops.stdout).toMatch(new RegExp(`\\| [0-9a-f-]{36} +\\| TOKEN +\\| Executing operation +\\| RUNNING +\\| YES +\\| .* \\| m3 +\\|`));
    expect(ops.stdout).toMatch(/\| +ID +\| +TYPE +\| +DESCRIPTION +\| +STATUS +\| CANCELABLE \| +CREATED +\| LOCATION \|/);
    const running = (await c.member(1).api<Record<string, { id: string; metadata: { serverName: string } }[]>>('GET', '/1.0/operations?recursion=1')).running;
    const op = running.find((o) => o.metadata.serverName === 'm9')!;
    expect(op.metadata.serverName).toBe(pending.serverName);
    expect(await lxc(1, 'operation', 'delete', op.id)).toMatchObject({ code: 0 });
  });

  it("refuses to change a member's cluster address, which would cut it off from the cluster", async () => {
    const refused = 'Changing cluster.https_address is currently not supported';
    const configOf = async () => (await c.member(1).api<{ config: Record<string, unknown> }>('GET', '/1.0')).config;
    const address = (await configOf())['cluster.https_address'];
    expect(address).toEqual(expect.stringMatching(/^127\.0\.0\.1:\d+$/));
    expect(await lxc(1, 'config', 'unset', 'cluster.https_address')).toMatchObject({ code: 1, stderr: expect.stringContaining(refused) });
    // `lxc config edit` sends the whole config: one without the address is refused as a whole.
    const put = await c.member(1).request('PUT', '/1.0', { config: { 'user.note': 'x' } });
    expect(put.status).toBe(400);
    expect(put.json.error).toBe(refused);
    const config = await configOf();
    expect(config['cluster.https_address']).toBe(address);
    expect(config['user.note']).toBeUndefined();
    await c.member(0).api('POST', '/1.0/profiles', { name: 'after-refused-put' });
    expect((await c.member(1).api<{ name: string }>('GET', '/1.0/profiles/after-refused-put')).name).toBe('after-refused-put');
  });

  it('answers cube: cluster list, and a remote added with a token over HTTPS', async () => {
    const cube = (i: number, args: string[], env: NodeJS.ProcessEnv = {}) => run(CUBE, args, { ...c.member(i).clientEnv, ...env });
    const list = await cube(0, ['cluster', 'list']);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(/\| NAME \| +URL +\| +ROLES +\| DATABASE \|/);
    for (const name of ['m1', 'm2', 'm3', 'm4']) expect(list.stdout).toMatch(new RegExp(`\\| ${name} +\\|`));
    const yaml = await cube(1, ['cluster', 'list', '--format', 'yaml']);
    expect(yaml.stdout).toMatch(/server_name: m4/);
    // A client outside the cluster: a certificate-add token, then HTTPS with a client certificate.
    const conf = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-conf-'));
    try {
      const issued = await cube(0, ['config', 'trust', 'add', '--name', 'laptop']);
      expect(issued).toMatchObject({ code: 0 });
      const token = issued.stdout.trim().split('\n').pop()!;
      const add = await cube(0, ['remote', 'add', 'prod', token], { CUBE_CONF: conf });
      expect(add).toMatchObject({ code: 0 });
      const remote = await cube(0, ['cluster', 'list', 'prod:', '--format', 'csv'], { CUBE_CONF: conf });
      expect(remote).toMatchObject({ code: 0, stderr: '' });
      expect(remote.stdout.trim().split('\n')).toHaveLength(4);
      // The token is used up: a second client cannot use it.
      const conf2 = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-conf-'));
      const again = await cube(0, ['remote', 'add', 'other', token], { CUBE_CONF: conf2 });
      fs.rmSync(conf2, { recursive: true, force: true });
      expect(again.code).toBe(1);
      const certs = await c.member(2).api<{ name: string; type: string }[]>('GET', '/1.0/certificates?recursion=1');
      expect(certs.filter((x) => x.type === 'client').map((x) => x.name)).toEqual(['laptop']);
      expect(certs.filter((x) => x.type === 'server').map((x) => x.name).sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
    } finally {
      fs.rmSync(conf, { recursive: true, force: true });
    }
  });

  it('lets exactly one of two concurrent ETag writes win, through different members', async () => {
    await c.member(0).api('POST', '/1.0/profiles', { name: 'cas', config: { 'user.v': '0' } });
    const read = await c.member(1).request('GET', '/1.0/profiles/cas');
    const etag = String(read.headers.etag).replace(/"/g, '');
    const put = (i: number, v: string) => c.member(i).request('PUT', '/1.0/profiles/cas', { config: { 'user.v': v }, description: '', devices: {} }, undefined, { 'If-Match': `"${etag}"` });
    const [a, b] = await Promise.all([put(2, 'a'), put(3, 'b')]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const loser = a.status === 412 ? a : b;
    expect(loser.json).toMatchObject({ type: 'error', error_code: 412 });
    const after = await c.member(0).api<{ config: Record<string, string> }>('GET', '/1.0/profiles/cas');
    expect(after.config['user.v']).toBe(a.status === 200 ? 'a' : 'b');
  });

  it('edits members with lxc: config, groups, rename, evacuate and restore; bad edits get clear errors', async () => {
    // Member config, read back through another member.
    expect(await lxc(1, 'cluster', 'set', 'm3', 'scheduler.instance', 'manual')).toMatchObject({ code: 0 });
    expect(await lxc(3, 'cluster', 'get', 'm3', 'scheduler.instance')).toMatchObject({ code: 0, stdout: 'manual\n' });
    expect(await lxc(1, 'cluster', 'set', 'm3', 'no.such.key', 'x')).toMatchObject({ code: 1, stderr: expect.stringContaining('Invalid member config key "no.such.key"') });
    // PATCH keeps what it does not name; an edit from a stale ETag loses; roles are the cluster's.
    const read = await c.member(0).request('GET', '/1.0/cluster/members/m3');
    const etag = String(read.headers.etag);
    expect(await c.member(0).request('PATCH', '/1.0/cluster/members/m3', { description: 'rack 2' }, undefined, { 'If-Match': etag })).toMatchObject({ status: 200 });
    const edited = await c.member(2).api<{ description: string; config: Record<string, string> }>('GET', '/1.0/cluster/members/m3');
    expect(edited).toMatchObject({ description: 'rack 2', config: { 'scheduler.instance': 'manual' } });
    const stale = await c.member(1).request('PUT', '/1.0/cluster/members/m3', { description: 'lost', config: {} }, undefined, { 'If-Match': etag });
    expect(stale).toMatchObject({ status: 412, json: { type: 'error', error_code: 412 } });
    expect(await lxc(0, 'cluster', 'role', 'add', 'm3', 'event-hub')).toMatchObject({ code: 1, stderr: expect.stringContaining('"event-hub" role is not supported') });
    const roles = await c.member(0).request('PATCH', '/1.0/cluster/members/m3', { roles: ['database-standby'] });
    expect(roles).toMatchObject({ status: 400, json: { type: 'error', error: expect.stringContaining('assigned by the cluster') } });
    // A body that is not a JSON object changes nothing (a PUT of [] is not an empty edit).
    const notObject = await c.member(0).request('PUT', '/1.0/cluster/members/m3', []);
    expect(notObject).toMatchObject({ status: 400, json: { type: 'error', error: 'The request body must be a JSON object' } });
    expect(await c.member(1).api<{ description: string }>('GET', '/1.0/cluster/members/m3')).toMatchObject({ description: 'rack 2' });
    expect(await lxc(1, 'cluster', 'unset', 'm3', 'scheduler.instance')).toMatchObject({ code: 0 });
    expect((await c.member(0).api<{ description: string; config: Record<string, string> }>('GET', '/1.0/cluster/members/m3')).config).toEqual({});
    // Edits without If-Match, many at once through every member: each one is applied, none refused.
    const storm = await Promise.all(Array.from({ length: 16 }, (_, i) => c.member(i % 4).request('PATCH', '/1.0/cluster/members/m3', { config: { [`user.k${i}`]: String(i) } })));
    expect(storm.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(Object.keys((await c.member(2).api<{ config: Record<string, string> }>('GET', '/1.0/cluster/members/m3')).config)).toHaveLength(16);
    expect(await c.member(0).request('PUT', '/1.0/cluster/members/m3', { description: 'rack 2', config: {} })).toMatchObject({ status: 200 });

    // Cluster groups: a group with members cannot be deleted.
    expect(await lxc(0, 'cluster', 'group', 'create', 'rack2')).toMatchObject({ code: 0 });
    expect(await lxc(1, 'cluster', 'group', 'assign', 'm3', 'rack2,default')).toMatchObject({ code: 0 });
    expect((await lxc(2, 'cluster', 'group', 'show', 'rack2')).stdout).toMatch(/members:\n- m3\n/);
    expect(await lxc(0, 'cluster', 'group', 'delete', 'rack2')).toMatchObject({ code: 1, stderr: expect.stringContaining('Only empty cluster groups can be removed') });
    expect(await lxc(0, 'cluster', 'group', 'assign', 'm3', 'default')).toMatchObject({ code: 0 });
    expect(await lxc(0, 'cluster', 'group', 'delete', 'rack2')).toMatchObject({ code: 0 });

    // Rename through another member: the renamed member takes its new name.
    expect(await lxc(1, 'cluster', 'rename', 'm3', 'm3x')).toMatchObject({ code: 0, stdout: 'Member m3 renamed to m3x\n' });
    const serverName = async (i: number) => (await c.member(i).api<{ environment: { server_name: string } }>('GET', '/1.0')).environment.server_name;
    await c.waitFor(async () => ((await serverName(2)) === 'm3x' ? true : undefined), 10_000, 'm3 named m3x');
    expect((await c.list(0)).map((m) => m.server_name).sort()).toEqual(['m1', 'm2', 'm3x', 'm4']);
    expect(await lxc(0, 'cluster', 'rename', 'm3x', 'm1')).toMatchObject({ code: 1, stderr: expect.stringContaining('already has a member with name: m1') });
    expect(await lxc(0, 'cluster', 'rename', 'nowhere', 'm9')).toMatchObject({ code: 1, stderr: expect.stringContaining('not found') });
    // Its own operations are listed once, under its new name.
    await c.member(2).api('POST', '/1.0/profiles', { name: 'by-m3x' });
    const ops = await c.member(2).api<Record<string, { id: string }[]>>('GET', '/1.0/operations?recursion=1');
    const ids = Object.values(ops).flat().map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await lxc(2, 'cluster', 'rename', 'm3x', 'm3')).toMatchObject({ code: 0 });
    expect(await serverName(2)).toBe('m3');
    // A member that cannot be told (hung for longer than the notice waits) learns its name from a heartbeat.
    c.member(3).freeze(true);
    try {
      expect(await lxc(0, 'cluster', 'rename', 'm4', 'm4z')).toMatchObject({ code: 0 });
      await sleep(5500);
    } finally {
      c.member(3).freeze(false);
    }
    await c.waitFor(async () => ((await serverName(3)) === 'm4z' ? true : undefined), 10_000, 'm4 named m4z');
    expect(await lxc(3, 'cluster', 'rename', 'm4z', 'm4')).toMatchObject({ code: 0 });
    await c.waitFor(async () => ((await c.list(0)).every((m) => m.status === 'Online') ? true : undefined), 15_000, 'every member Online');

    // Evacuate and restore.
    expect(await lxc(0, 'cluster', 'evacuate', 'm4', '--force')).toMatchObject({ code: 0 });
    expect((await c.list(1)).find((m) => m.server_name === 'm4')).toMatchObject({ status: 'Evacuated', message: 'Unavailable due to maintenance' });
    expect(await lxc(0, 'cluster', 'restore', 'm4', '--force')).toMatchObject({ code: 0 });
    expect((await c.list(1)).find((m) => m.server_name === 'm4')).toMatchObject({ status: 'Online' });
  });

  it('sends events from every member to a listener on any member, and forwards ?target=', async () => {
    const ws = new WebSocket('ws+unix://' + c.member(0).socket + ':/1.0/events?type=lifecycle');
    const events: { location: string; metadata: { action: string; source: string } }[] = [];
    ws.on('message', (d) => events.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    await c.member(2).api('POST', '/1.0/profiles', { name: 'from-m3' });
    await c.waitFor(async () => (events.some((e) => e.metadata.source === '/1.0/profiles/from-m3') ? true : undefined), 10_000, 'the event from m3');
    ws.close();
    expect(events.find((e) => e.metadata.source === '/1.0/profiles/from-m3')).toMatchObject({ location: 'm3', metadata: { action: 'profile-created' } });
    const viaTarget = await c.member(0).api<{ environment: { server_name: string } }>('GET', '/1.0?target=m4');
    expect(viaTarget.environment.server_name).toBe('m4');
    const missing = await c.member(0).request('GET', '/1.0?target=nowhere');
    expect(missing.status).toBe(404);
    const wrongMethod = await c.member(0).request('DELETE', '/1.0');
    expect(wrongMethod).toMatchObject({ status: 501, json: { error: 'not implemented' } });
  });

  it('survives kill -9 of the leader: writes work again, the member shows Offline, a standby is promoted, and it comes back', async () => {
    const leader = await c.leader();
    const survivors = [0, 1, 2, 3].filter((i) => i !== leader);
    await c.member(leader).kill();
    // Writes through a survivor work again.
    await c.waitFor(async () => {
      const r = await c.member(survivors[0]).request('POST', '/1.0/profiles', { name: `after-failover-${Date.now()}` });
      return r.status === 201 ? true : undefined;
    }, 15_000, 'a write after failover');
    // Three voters again among the survivors, the killed member Offline.
    const killed = c.member(leader).name;
    await c.waitFor(async () => {
      const members = await c.list(survivors[1]);
      const voters = members.filter((m) => m.roles.includes('database')).map((m) => m.server_name);
      const dead = members.find((m) => m.server_name === killed)!;
      return voters.length === 3 && !voters.includes(killed) && dead.status === 'Offline' && dead.roles.length === 0 ? true : undefined;
    }, 20_000, 'a promoted standby and the killed member Offline');
    // The member that now sends heartbeats warns that it cannot reach the killed one (as LXD does).
    const newLeader = await c.leader();
    const offlineWarning = async (status: string) => {
      const r = await c.member(survivors[1]).request('GET', '/1.0/warnings?recursion=1');
      const warnings = r.json.metadata as { type: string; status: string; location: string; last_message: string }[];
      return warnings.find((w) => w.type === 'Offline cluster member' && w.location === c.member(newLeader).name && w.last_message.includes(`member ${killed} `) && w.status === status);
    };
    await c.waitFor(() => offlineWarning('new'), 10_000, 'an "Offline cluster member" warning on the new leader');
    // Back again: online, following the log as a standby, without disturbing the leader.
    await c.member(leader).start();
    await c.waitFor(async () => {
      const m = (await c.list(leader)).find((x) => x.server_name === killed)!;
      return m.status === 'Online' && m.roles.includes('database-standby') ? true : undefined;
    }, 20_000, 'the restarted member back as a standby');
    expect(await c.leader()).toBe(newLeader);
    // A heartbeat round that reaches every member resolves the warning.
    await c.waitFor(() => offlineWarning('resolved'), 15_000, 'the "Offline cluster member" warning resolved');
    expect((await lxc(leader, 'profile', 'list', '--format', 'csv')).stdout).toMatch(/^after-failover-/m);
  });

  it('replaces a voter that stops cleanly, and gives it a database role again when it starts', async () => {
    const leader = await c.leader();
    const voters = (await c.list(leader)).filter((m) => m.roles.includes('database')).map((m) => c.members.findIndex((x) => x.name === m.server_name));
    const stopping = voters.find((i) => i !== leader)!;
    const name = c.member(stopping).name;
    await c.member(stopping).kill('SIGTERM'); // it tells the others that it is leaving
    await c.waitFor(async () => {
      const members = await c.list(leader);
      const gone = members.find((m) => m.server_name === name)!;
      return members.filter((m) => m.roles.includes('database')).length === 3 && gone.roles.length === 0 ? true : undefined;
    }, 20_000, 'the stopped voter replaced');
    // Started again, it has nothing to say to the others until they count it reachable again.
    await c.member(stopping).start();
    await c.waitFor(async () => {
      const back = (await c.list(leader)).find((m) => m.server_name === name)!;
      return back.roles.includes('database-standby') ? true : undefined;
    }, 20_000, 'the restarted member a standby again');
  });

  it('replaces a voter that hangs, and takes it back as a standby when it goes on', async () => {
    // Once the roles have settled (the member restarted by the test before is made a standby).
    await c.waitFor(async () => {
      const list = await c.list(0);
      return list.filter((m) => m.roles.includes('database')).length === 3 && list.some((m) => m.roles.includes('database-standby')) ? true : undefined;
    }, 20_000, 'three voters and a standby');
    const leader = await c.leader();
    const voters = (await c.list(leader)).filter((m) => m.roles.includes('database')).map((m) => c.members.findIndex((x) => x.name === m.server_name));
    const hung = voters.find((i) => i !== leader)!;
    const name = c.member(hung).name;
    // Its connections stay open: only its silence tells the leader that it is gone.
    c.member(hung).freeze(true);
    try {
      await c.waitFor(async () => {
        const members = await c.list(leader);
        const gone = members.find((m) => m.server_name === name)!;
        return members.filter((m) => m.roles.includes('database')).length === 3 && gone.roles.length === 0 ? true : undefined;
      }, 20_000, 'the hung voter replaced');
      await c.member(leader).api('POST', '/1.0/profiles', { name: 'while-a-voter-hangs' });
    } finally {
      c.member(hung).freeze(false);
    }
    await c.waitFor(async () => {
      const back = (await c.list(leader)).find((m) => m.server_name === name)!;
      return back.status === 'Online' && back.roles.includes('database-standby') ? true : undefined;
    }, 20_000, 'the member that hung a standby');
    expect(await c.leader()).toBe(leader);
    expect((await c.member(hung).api<{ name: string }>('GET', '/1.0/profiles/while-a-voter-hangs')).name).toBe('while-a-voter-hangs');
  });

  it('removes a member, which goes back to standalone, and adds it again', async () => {
    const leader = await c.leader();
    const victim = [0, 1, 2, 3].find((i) => i !== leader)!;
    const other = [0, 1, 2, 3].find((i) => i !== leader && i !== victim)!;
    // A member that does not answer is removed only with --force: it could not be told.
    c.member(victim).freeze(true);
    try {
      const refused = await lxc(other, 'cluster', 'remove', c.member(victim).name);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot be reached .*--force/) });
    } finally {
      c.member(victim).freeze(false);
    }
    expect((await c.list(other)).map((m) => m.server_name)).toContain(c.member(victim).name);
    expect(await lxc(other, 'cluster', 'remove', c.member(victim).name)).toMatchObject({ code: 0 });
    await c.waitFor(async () => ((await c.list(other)).some((m) => m.server_name === c.member(victim).name) ? undefined : true), 10_000, 'the member gone');
    await c.waitFor(async () => {
      const info = await c.member(victim).api<{ enabled: boolean }>('GET', '/1.0/cluster');
      return info.enabled === false ? true : undefined;
    }, 10_000, 'the removed member standalone');
    await c.joinWithToken(victim, other);
    const back = (await c.list(victim)).find((m) => m.server_name === c.member(victim).name)!;
    expect(back.status).toBe('Online');
    expect((await c.list(victim)).length).toBe(4);
  });

  it('answers quickly, naming the members it cannot reach, when quorum is lost', async () => {
    // Once the roles have settled (a member added back by the test before is made a standby).
    const members = await c.waitFor(async () => {
      const list = await c.list(0);
      const settled = list.filter((m) => m.roles.includes('database')).length === 3 && list.filter((m) => m.roles.includes('database-standby')).length === 1;
      return settled && list.every((m) => m.status === 'Online') ? list : undefined;
    }, 20_000, 'three voters and a standby');
    const voters = members.filter((m) => m.roles.includes('database')).map((m) => c.members.findIndex((x) => x.name === m.server_name));
    const leader = await c.leader();
    const gone = voters.filter((i) => i !== leader);
    for (const i of gone) await c.member(i).kill();
    // The request has a 20 s client timeout: an answer at all means the daemon did not hang.
    const r = await c.member(leader).request('POST', '/1.0/profiles', { name: 'no-quorum' });
    expect(r.status).toBe(503);
    for (const i of gone) expect(r.json.error).toContain(c.member(i).name);
    for (const i of gone) await c.member(i).start();
    await c.leader();
  });

  it('removes a dead member with --force, and the cluster goes on writing', async () => {
    const leader = await c.leader();
    const dead = [0, 1, 2, 3].find((i) => i !== leader)!;
    const via = [0, 1, 2, 3].find((i) => i !== leader && i !== dead)!;
    await c.member(dead).kill();
    const name = c.member(dead).name;
    expect(await lxc(via, 'cluster', 'remove', name)).toMatchObject({ code: 1, stderr: expect.stringContaining('--force') });
    expect(await lxc(via, 'cluster', 'remove', name, '--force', '--yes')).toMatchObject({ code: 0 });
    expect((await c.list(via)).map((m) => m.server_name)).not.toContain(name);
    const list = await lxc(leader, 'cluster', 'list', '--format', 'csv');
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    await c.member(via).api('POST', '/1.0/profiles', { name: 'after-force-remove' });
    expect((await c.member(leader).api<{ name: string }>('GET', '/1.0/profiles/after-force-remove')).name).toBe('after-force-remove');
  });
});
