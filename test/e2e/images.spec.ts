/**
 * The images API end to end: three built `cubed` processes on loopback formed into a cluster,
 * driven with the real LXD 5.0.2 client (`lxc image import/list/show/alias/export/delete`), pylxd
 * and the API, with busybox images built by libs/runtime's builder.
 *
 * Copies between members are exercised through the endpoint that image synchronisation uses in
 * production: a member that lacks an image is asked (POST /internal/images/<fp>/fetch) to get its
 * own copy, which runs ImageService.ensureLocal there, the same code instance creation calls. The
 * test calls it over the member's unix socket to pick the member deterministically; the automatic
 * path (raising cluster.images_minimal_replica) is checked too. Needs `npm run build`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { buildTestImage, sha256Of } from './images-fixtures/busybox-images';
import { finished, multipartBody, sql, upload } from './images-fixtures/image-requests';
import { DaemonCluster } from './support/daemon-cluster';
import { run } from './support/member-process';

jest.setTimeout(240_000);

const LXC = '/usr/bin/lxc';
const PYTHON = '/usr/bin/python3';

describe('images on a 3-member cluster', () => {
  let c: DaemonCluster;
  let work: string;
  let tarball: string;
  let fingerprint: string;
  let other: { path: string; fingerprint: string };
  const lxc = (i: number, ...args: string[]) => run(LXC, args, c.member(i).clientEnv);
  const imageFile = (i: number, fp = fingerprint) => path.join(c.member(i).dir, 'images', fp);
  const unpacked = (i: number, fp = fingerprint) => path.join(c.member(i).dir, 'images', 'unpacked', fp);
  const holders = async (via = 0) =>
    (await sql(c.member(via), `SELECT DISTINCT n.name FROM images_nodes h JOIN images i ON i.id = h.image_id JOIN nodes n ON n.id = h.node_id WHERE i.fingerprint = '${fingerprint}' ORDER BY n.name`)).map((r) => r[0]);

  beforeAll(async () => {
    for (const tool of [LXC, PYTHON]) if (!fs.existsSync(tool)) throw new Error(`${tool} is missing (lxd-client, python3-pylxd)`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-images-'));
    const built = await buildTestImage(work, 'busybox.tar.gz', new Date('2024-05-01T10:00:00Z'));
    tarball = built.path;
    fingerprint = built.fingerprint;
    const second = await buildTestImage(work, 'busybox-2.tar.gz', new Date('2024-06-01T10:00:00Z'));
    other = { path: second.path, fingerprint: second.fingerprint };
    c = await DaemonCluster.create(3);
    await c.startAll();
    await c.bootstrap(0);
    await c.joinWithToken(1, 0);
    await c.joinWithToken(2, 0);
    // One copy per image until the test asks for more.
    expect(await lxc(0, 'config', 'set', 'cluster.images_minimal_replica', '1')).toMatchObject({ code: 0 });
  });

  afterAll(async () => {
    await c?.destroy();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('imports a tarball with lxc image import --alias on member 1, which alone holds it', async () => {
    const r = await lxc(0, 'image', 'import', tarball, '--alias', 'bb');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain(`Image imported with fingerprint: ${fingerprint}`);
    expect(fingerprint).toBe(sha256Of(tarball));
    expect(sha256Of(imageFile(0))).toBe(fingerprint);
    expect(fs.existsSync(path.join(unpacked(0), 'rootfs', 'bin', 'busybox'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked(0), 'metadata.yaml'))).toBe(true);
    for (const i of [1, 2]) expect(fs.existsSync(imageFile(i))).toBe(false);
    expect(await holders(2)).toEqual(['m1']);
  });

  it('lists the image on the other members (lxc image list, --format csv, pylxd)', async () => {
    const table = await lxc(1, 'image', 'list');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(new RegExp(`\\| bb +\\| ${fingerprint.slice(0, 12)} +\\| no +\\| BusyBox [0-9.]+ +\\| x86_64 +\\| CONTAINER +\\| [0-9.]+MB +\\|`));
    const csv = await lxc(2, 'image', 'list', '--format', 'csv');
    expect(csv.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^bb,${fingerprint.slice(0, 12)},no,BusyBox [0-9.]+,x86_64,CONTAINER,`))]);
    const socket = encodeURIComponent(c.member(2).socket);
    const py = await run(PYTHON, ['-W', 'ignore', '-c', `import pylxd\nc = pylxd.Client(endpoint="http+unix://${socket}")\nfor i in c.images.all(): print(i.fingerprint)\nprint(c.images.get_by_alias("bb").properties["os"])`], c.member(2).clientEnv);
    expect(py).toMatchObject({ code: 0, stdout: `${fingerprint}\nBusyBox\n` });
  });

  it('shows the image with lxc image show and as LXD does in the API (prefix, ETag, 404)', async () => {
    const show = await lxc(2, 'image', 'show', 'bb');
    expect(show).toMatchObject({ code: 0 });
    expect(show.stdout).toMatch(/^auto_update: false\n/);
    expect(show.stdout).toMatch(/\n {2}os: BusyBox\n/);
    expect(show.stdout).toMatch(/\npublic: false\nexpires_at: 1970-01-01T00:00:00Z\nprofiles:\n- default\n/);
    const r = await c.member(1).request('GET', `/1.0/images/${fingerprint.slice(0, 8)}`);
    expect(r.status).toBe(200);
    expect(r.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(r.json.metadata).toMatchObject({
      fingerprint,
      filename: 'busybox.tar.gz',
      size: fs.statSync(tarball).size,
      architecture: 'x86_64',
      type: 'container',
      public: false,
      cached: false,
      aliases: [{ name: 'bb', description: '' }],
      created_at: '2024-05-01T10:00:00Z',
      last_used_at: '0001-01-01T00:00:00Z',
      uploaded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    });
    const missing = await c.member(1).request('GET', '/1.0/images/ffff');
    expect(missing).toMatchObject({ status: 404, json: { type: 'error', error_code: 404, error: 'Image not found' } });
    const urls = await c.member(0).api<string[]>('GET', '/1.0/images');
    expect(urls).toEqual([`/1.0/images/${fingerprint}`]);
  });

  it('filters lists as LXD API filtering does', async () => {
    const list = async (filter: string) =>
      (await c.member(1).api<{ fingerprint: string }[]>('GET', `/1.0/images?recursion=1&filter=${encodeURIComponent(filter)}`)).map((i) => i.fingerprint);
    expect(await list(`fingerprint eq ${fingerprint}`)).toEqual([fingerprint]);
    expect(await list(`fingerprint eq ${fingerprint.slice(0, 6)}.*`)).toEqual([fingerprint]);
    expect(await list('properties.os eq busybox and architecture eq x86_64')).toEqual([fingerprint]);
    expect(await list('public eq true')).toEqual([]);
    expect(await list('not public eq true')).toEqual([fingerprint]);
    expect(await list('properties.os ne BusyBox or public eq false')).toEqual([fingerprint]);
    expect(await list('properties.description eq "BusyBox nothing"')).toEqual([]);
    const bad = await c.member(1).request('GET', `/1.0/images?filter=${encodeURIComponent('public eq')}`);
    expect(bad).toMatchObject({ status: 400, json: { error: 'Invalid filter: clause has no value' } });
  });

  it('updates with PUT and PATCH, guarded by the ETag', async () => {
    const m = c.member(1);
    const first = await m.request('GET', `/1.0/images/${fingerprint}`);
    const patched = await m.request('PATCH', `/1.0/images/${fingerprint}`, { public: true, properties: { note: 'hello' } }, undefined, { 'If-Match': first.headers.etag as string });
    expect(patched).toMatchObject({ status: 200, json: { type: 'sync' } });
    const after = await m.request('GET', `/1.0/images/${fingerprint}`);
    expect(after.json.metadata).toMatchObject({ public: true, properties: { os: 'BusyBox', note: 'hello' } });
    expect(after.headers.etag).not.toBe(first.headers.etag);
    // A writer that read the old version loses.
    const stale = await m.request('PUT', `/1.0/images/${fingerprint}`, { ...first.json.metadata }, undefined, { 'If-Match': first.headers.etag as string });
    expect(stale).toMatchObject({ status: 412, json: { error: expect.stringMatching(/^ETag doesn't match: [0-9a-f]{64} vs [0-9a-f]{64}$/) } });
    // PUT replaces: back to private, the note dropped, an expiry set.
    const put = await m.request('PUT', `/1.0/images/${fingerprint}`, { ...first.json.metadata, expires_at: '2030-01-02T03:04:05Z' }, undefined, { 'If-Match': after.headers.etag as string });
    expect(put.status).toBe(200);
    const final = await c.member(2).api<{ public: boolean; properties: Record<string, string>; expires_at: string }>('GET', `/1.0/images/${fingerprint}`);
    expect(final).toMatchObject({ public: false, expires_at: '2030-01-02T03:04:05Z' });
    expect(final.properties.note).toBeUndefined();
    const wrongType = await m.request('PATCH', `/1.0/images/${fingerprint}`, { public: 'yes' });
    expect(wrongType).toMatchObject({ status: 400, json: { error: 'public must be true or false' } });
  });

  it('manages aliases with lxc image alias, with lifecycle events', async () => {
    // Every member's own events, so that none depends on when the members' event links came up.
    const sockets = c.members.map((m) => new WebSocket(`ws+unix://${m.socket}:/1.0/events?type=lifecycle`));
    const events: { location: string; metadata: { action: string; source: string; context?: Record<string, unknown> } }[] = [];
    for (const ws of sockets) ws.on('message', (d) => events.push(JSON.parse(d.toString())));
    await Promise.all(sockets.map((ws) => new Promise((r) => ws.once('open', r))));
    try {
      expect(await lxc(1, 'image', 'alias', 'create', 'b2', fingerprint.slice(0, 12))).toMatchObject({ code: 0 });
      expect(await lxc(2, 'image', 'alias', 'create', 'b2', fingerprint)).toMatchObject({ code: 1, stderr: expect.stringContaining('Alias "b2" already exists') });
      const listed = await lxc(2, 'image', 'alias', 'list', '--format', 'csv');
      expect(listed.stdout.trim().split('\n').sort()).toEqual([`b2,${fingerprint.slice(0, 12)},CONTAINER,`, `bb,${fingerprint.slice(0, 12)},CONTAINER,`]);
      expect(await lxc(0, 'image', 'alias', 'rename', 'b2', 'b3')).toMatchObject({ code: 0 });
      const alias = await c.member(1).request('GET', '/1.0/images/aliases/b3');
      expect(alias.json.metadata).toEqual({ name: 'b3', target: fingerprint, description: '', type: 'container' });
      expect(alias.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
      expect(await c.member(1).request('PATCH', '/1.0/images/aliases/b3', { description: 'third' }, undefined, { 'If-Match': alias.headers.etag as string })).toMatchObject({ status: 200 });
      expect((await c.member(2).api<{ description: string }>('GET', '/1.0/images/aliases/b3')).description).toBe('third');
      expect(await lxc(2, 'image', 'alias', 'delete', 'b3')).toMatchObject({ code: 0 });
      expect((await lxc(1, 'image', 'alias', 'list', '--format', 'csv')).stdout.trim()).toBe(`bb,${fingerprint.slice(0, 12)},CONTAINER,`);
      expect(await c.member(0).request('GET', '/1.0/images/aliases/b3')).toMatchObject({ status: 404, json: { error: 'Image alias not found' } });
      const actions = ['image-alias-created', 'image-alias-renamed', 'image-alias-updated', 'image-alias-deleted'];
      await c.waitFor(async () => (actions.every((a) => events.some((e) => e.metadata.action === a)) ? true : undefined), 10_000, 'the alias events');
      expect(events.find((e) => e.metadata.action === 'image-alias-renamed')).toMatchObject({ location: 'm1', metadata: { source: '/1.0/images/aliases/b3', context: { old_name: 'b2' } } });
      expect(events.find((e) => e.metadata.action === 'image-alias-created')).toMatchObject({ location: 'm2', metadata: { source: '/1.0/images/aliases/b2', context: { target: fingerprint.slice(0, 12) } } });
    } finally {
      for (const ws of sockets) ws.close();
    }
  });

  it('refuses a second import of the same image as LXD does', async () => {
    const again = await lxc(2, 'image', 'import', tarball);
    expect(again).toMatchObject({ code: 1, stderr: 'Error: Image with same fingerprint already exists\n' });
    const op = await finished(c.member(1), await upload(c.member(1), fs.readFileSync(tarball), { 'Content-Type': 'application/octet-stream' }));
    expect(op).toMatchObject({ status: 'Failure', err: 'Image with same fingerprint already exists', metadata: { fingerprint, size: String(fs.statSync(tarball).size) } });
  });

  it('takes the upload headers (fingerprint, public, filename, properties) and multipart bodies as LXD does', async () => {
    const body = fs.readFileSync(other.path);
    const wrong = await finished(c.member(0), await upload(c.member(0), body, { 'Content-Type': 'application/octet-stream', 'X-LXD-fingerprint': fingerprint }));
    expect(wrong).toMatchObject({ status: 'Failure', err: `fingerprints don't match, got ${other.fingerprint} expected ${fingerprint}` });
    const reply = await upload(c.member(0), body, {
      'Content-Type': 'application/octet-stream',
      'X-LXD-fingerprint': other.fingerprint,
      'X-LXD-public': 'true',
      'X-LXD-filename': 'custom.tar.gz',
      'X-LXD-properties': 'os=Custom&note=two+words',
    });
    expect(reply).toMatchObject({ status: 202, json: { type: 'async', metadata: { class: 'task', description: 'Downloading image' } } });
    expect(reply.headers.location).toBe(reply.json.operation);
    expect(await finished(c.member(0), reply)).toMatchObject({ status: 'Success', metadata: { fingerprint: other.fingerprint, size: String(body.length) } });
    const image = await c.member(2).api<{ public: boolean; filename: string; properties: Record<string, string> }>('GET', `/1.0/images/${other.fingerprint}`);
    expect(image).toMatchObject({ public: true, filename: 'custom.tar.gz', properties: { os: 'Custom', note: 'two words', description: expect.stringMatching(/^BusyBox/) } });
    expect((await c.member(1).api<{ fingerprint: string }[]>('GET', '/1.0/images?recursion=1&filter=public%20eq%20true')).map((i) => i.fingerprint)).toEqual([other.fingerprint]);

    // multipart/form-data: a split image (metadata, then rootfs), fingerprinted over both parts.
    const meta = Buffer.from('metadata tarball bytes');
    const rootfs = Buffer.from('rootfs bytes');
    const split = multipartBody([
      { name: 'metadata', filename: 'meta.tar.xz', content: meta },
      { name: 'rootfs', filename: 'rootfs.squashfs', content: rootfs },
    ]);
    const splitFingerprint = createHash('sha256').update(Buffer.concat([meta, rootfs])).digest('hex');
    const splitOp = await finished(c.member(1), await upload(c.member(1), split.body, { 'Content-Type': split.contentType, 'X-LXD-fingerprint': splitFingerprint }));
    expect(splitOp).toMatchObject({ status: 'Failure', err: expect.stringContaining('Split images'), metadata: { fingerprint: splitFingerprint, size: String(meta.length + rootfs.length) } });
    const badOrder = multipartBody([{ name: 'rootfs', filename: 'rootfs', content: rootfs }]);
    expect(await upload(c.member(1), badOrder.body, { 'Content-Type': badOrder.contentType })).toMatchObject({ status: 400, json: { error: 'Invalid multipart image' } });
    const pull = await c.member(1).request('POST', '/1.0/images', { source: { type: 'image', mode: 'pull', server: 'https://127.0.0.1:1', fingerprint } });
    expect(pull).toMatchObject({ status: 400, json: { error: expect.stringContaining('source type "image"') } });

    expect(await lxc(1, 'image', 'delete', other.fingerprint.slice(0, 12))).toMatchObject({ code: 0 });
    expect(fs.existsSync(imageFile(0, other.fingerprint))).toBe(false);
  });

  it('exports with lxc image export on a member without a copy, from the member that has one', async () => {
    const out = path.join(work, 'export');
    fs.mkdirSync(out);
    const r = await lxc(2, 'image', 'export', 'bb', out);
    expect(r).toMatchObject({ code: 0 });
    expect(fs.readdirSync(out)).toEqual([`${fingerprint}.tar.gz`]);
    expect(sha256Of(path.join(out, `${fingerprint}.tar.gz`))).toBe(fingerprint);
    const raw = await c.member(0).request('GET', `/1.0/images/${fingerprint}/export`);
    expect(raw.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'content-disposition': `inline;filename=${fingerprint}.tar.gz`, 'content-length': String(fs.statSync(tarball).size) });
    // Exporting did not make member 3 keep a copy.
    expect(fs.existsSync(imageFile(2))).toBe(false);
  });

  it('refuses a copy whose SHA-256 is not the fingerprint, and keeps nothing of it', async () => {
    const good = fs.readFileSync(imageFile(0));
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)] ^= 0xff;
    fs.writeFileSync(imageFile(0), bad);
    try {
      const r = await c.member(2).request('POST', `/internal/images/${fingerprint}/fetch`, {}, 60_000);
      expect(r).toMatchObject({ status: 502, json: { type: 'error', error: expect.stringMatching(/^Failed to copy image [0-9a-f]{64} from another member: m1: the copy has the SHA-256 [0-9a-f]{64}, not the image's fingerprint: refused$/) } });
    } finally {
      fs.writeFileSync(imageFile(0), good);
    }
    expect(fs.existsSync(imageFile(2))).toBe(false);
    expect(fs.existsSync(unpacked(2))).toBe(false);
    expect(fs.readdirSync(path.join(c.member(2).dir, 'images', 'tmp'))).toEqual([]);
    expect(await holders()).toEqual(['m1']);
  });

  it('copies the image to member 3 through ImageService (ensureLocal), concurrent requests sharing it', async () => {
    const [a, b] = await Promise.all([
      c.member(2).request('POST', `/internal/images/${fingerprint}/fetch`, {}, 60_000),
      c.member(2).request('POST', `/internal/images/${fingerprint}/fetch`, {}, 60_000),
    ]);
    for (const r of [a, b]) expect(r).toMatchObject({ status: 200, json: { metadata: { fingerprint, size: fs.statSync(tarball).size } } });
    expect(sha256Of(imageFile(2))).toBe(fingerprint);
    expect(fs.existsSync(path.join(unpacked(2), 'rootfs', 'bin', 'busybox'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked(2), 'templates', 'hostname.tpl'))).toBe(true);
    expect(await holders(1)).toEqual(['m1', 'm3']);
  });

  it('copies images to every member when cluster.images_minimal_replica asks for it', async () => {
    await c.member(1).api('PATCH', '/1.0', { config: { 'cluster.images_minimal_replica': '-1' } });
    await c.waitFor(async () => ((await holders()).length === 3 ? true : undefined), 60_000, 'a copy on every member');
    expect(sha256Of(imageFile(1))).toBe(fingerprint);
  });

  it('deletes with lxc image delete: every member drops its copy, the rows go', async () => {
    const r = await lxc(1, 'image', 'delete', 'bb');
    expect(r).toMatchObject({ code: 0 });
    for (const i of [0, 1, 2]) {
      expect(fs.existsSync(imageFile(i))).toBe(false);
      expect(fs.existsSync(unpacked(i))).toBe(false);
    }
    expect(await sql(c.member(2), 'SELECT count(*) FROM images')).toEqual([[0]]);
    expect(await sql(c.member(2), 'SELECT count(*) FROM images_nodes')).toEqual([[0]]);
    expect(await sql(c.member(2), 'SELECT count(*) FROM images_aliases')).toEqual([[0]]);
    expect((await lxc(2, 'image', 'list', '--format', 'csv')).stdout).toBe('');
    expect(await lxc(0, 'image', 'delete', 'bb')).toMatchObject({ code: 1 });
  });
});
