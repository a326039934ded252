import * as fs from 'node:fs';
import * as path from 'node:path';
import { asyncOperation, lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { TextInput } from '../../test/test-io';
import { run } from '../cli';
import type { Io } from '../io';

const FINGERPRINT = '5e1ab2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f';

const BUSYBOX = {
  auto_update: false,
  properties: { description: 'Busybox x86_64', os: 'busybox' },
  public: false,
  expires_at: '0001-01-01T00:00:00Z',
  profiles: ['default'],
  aliases: [
    { name: 'busybox', description: '' },
    { name: 'bb', description: '' },
  ],
  architecture: 'x86_64',
  cached: false,
  filename: 'busybox.tar.xz',
  fingerprint: FINGERPRINT,
  size: 1572864,
  type: 'container',
  created_at: '2024-03-01T10:00:00Z',
  last_used_at: '0001-01-01T00:00:00Z',
  uploaded_at: '2024-03-01T10:20:30Z',
};

const ALPINE = {
  ...BUSYBOX,
  properties: { description: 'Alpine 3.19', os: 'alpine' },
  public: true,
  aliases: [],
  fingerprint: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  size: 3145728,
  type: 'virtual-machine',
};

describe('cube image', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake
      .on('POST', '/1.0/images', asyncOperation({ id: 'op-image', class: 'task' }))
      .on(
        'GET',
        '/1.0/operations/op-image/wait',
        sync({ id: 'op-image', status: 'Success', status_code: 200, metadata: { fingerprint: FINGERPRINT } }),
      )
      .on('GET', '/1.0/images/aliases', sync([{ name: 'busybox', target: 'old', type: 'container', description: '' }]))
      .on('DELETE', '/1.0/images/aliases/busybox', sync({}))
      .on('POST', '/1.0/images/aliases', sync({}));
  });
  afterEach(() => t.close());

  it('import uploads a unified tarball with the X-LXD headers and points the aliases at it', async () => {
    const tarball = path.join(t.tmp, 'busybox.tar.xz');
    fs.writeFileSync(tarball, 'tarball bytes');
    const r = await t.cube([
      'image',
      'import',
      tarball,
      'os=busybox',
      'release=1.36',
      '--public',
      '--alias',
      'busybox',
      '--alias',
      'bb',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: `Image imported with fingerprint: ${FINGERPRINT}\n`, stderr: '' });
    const upload = t.fake.requests[0];
    expect(upload.url).toBe('/1.0/images');
    expect(upload.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': '13',
      'x-lxd-filename': 'busybox.tar.xz',
      'x-lxd-public': 'true',
      'x-lxd-properties': 'os=busybox&release=1.36',
    });
    expect(upload.body).toBe('tarball bytes');
    expect(t.fake.sequence.slice(1)).toEqual([
      'GET /1.0/operations/op-image/wait',
      'GET /1.0/images/aliases?recursion=1',
      'DELETE /1.0/images/aliases/busybox',
      'POST /1.0/images/aliases',
      'POST /1.0/images/aliases',
    ]);
    expect(t.fake.requests[4].body).toEqual({ description: '', target: FINGERPRINT, name: 'busybox', type: '' });
    expect(t.fake.requests[5].body).toMatchObject({ target: FINGERPRINT, name: 'bb' });
  });

  it('import sends a split image as multipart/form-data, the rootfs of a VM as rootfs.img', async () => {
    const meta = path.join(t.tmp, 'meta.tar.xz');
    const rootfs = path.join(t.tmp, 'disk.qcow2');
    fs.writeFileSync(meta, 'META');
    fs.writeFileSync(rootfs, Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb]), Buffer.from('DISK')]));
    const r = await t.cube(['image', 'import', meta, rootfs, '-q']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    const upload = t.fake.requests[0];
    const boundary = /^multipart\/form-data; boundary=([0-9a-f]{60})$/.exec(String(upload.headers['content-type']))![1];
    const body = String(upload.body);
    expect(
      body.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="metadata"; filename="meta.tar.xz"\r\n`),
    ).toBe(true);
    expect(body).toContain('Content-Type: application/octet-stream\r\n\r\nMETA\r\n');
    expect(body).toContain(
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="rootfs.img"; filename="disk.qcow2"\r\n`,
    );
    expect(body.endsWith(`DISK\r\n--${boundary}--\r\n`)).toBe(true);
    expect(Number(upload.headers['content-length'])).toBe(Buffer.byteLength(body, 'latin1'));
    expect(upload.headers['x-lxd-filename']).toBe('meta.tar.xz');
  });

  it('import shows the upload on a terminal, and asks the server to fetch an https URL', async () => {
    const tarball = path.join(t.tmp, 'big.tar.xz');
    fs.writeFileSync(tarball, Buffer.alloc(256 * 1024, 7));
    const err: string[] = [];
    const out: string[] = [];
    const io: Io = {
      stdout: (text) => void out.push(text),
      stderr: (text) => void err.push(text),
      env: t.env,
      stdin: new TextInput('', true),
      editor: async (text) => text,
      terminal: {
        stdinIsTerminal: true,
        stdoutIsTerminal: true,
        stderrIsTerminal: true,
        size: () => ({ width: 100, height: 30 }),
        stderrWidth: () => 100,
        makeRaw: () => () => undefined,
        trapSignals: () => () => undefined,
      },
    };
    expect(await run(['image', 'import', tarball], io)).toBe(0);
    expect(err.join('')).toMatch(/^\rTransferring image: \d+% \([\d.]+[kMG]?B\/s\)/);
    expect(err.join('')).toMatch(/\rTransferring image: 100% \([\d.]+[kMG]?B\/s\)/);
    expect(err.join('')).toMatch(/\r +\r$/);
    expect(out.join('')).toBe(`Image imported with fingerprint: ${FINGERPRINT}\n`);

    const fetched = await t.cube(['image', 'import', 'https://images.example/busybox.tar.xz']);
    expect(fetched).toMatchObject({ code: 0, stderr: '' });
    const request = t.fake.requests.filter((req) => req.method === 'POST').pop()!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toMatchObject({
      public: false,
      source: { type: 'url', mode: 'pull', protocol: 'direct', url: 'https://images.example/busybox.tar.xz' },
    });
    expect((await t.cube(['image', 'import', 'http://images.example/x.tar.xz'])).stderr).toBe(
      'Error: Only https:// is supported for remote image import\n',
    );
  });

  it('list shows aliases, fingerprints, sizes and dates like lxc', async () => {
    t.fake.on('GET', '/1.0', sync({ api_extensions: [] })).on('GET', '/1.0/images', sync([ALPINE, BUSYBOX]));
    const r = await t.cube(['image', 'list']);
    expect(t.fake.sequence).toEqual(['GET /1.0', 'GET /1.0/images?recursion=1']);
    expect(r.stdout).toBe(
      [
        '+-------------+--------------+--------+----------------+--------------+-----------------+--------+------------------------------+',
        '|    ALIAS    | FINGERPRINT  | PUBLIC |  DESCRIPTION   | ARCHITECTURE |      TYPE       |  SIZE  |         UPLOAD DATE          |',
        '+-------------+--------------+--------+----------------+--------------+-----------------+--------+------------------------------+',
        '| bb (1 more) | 5e1ab2c3d4e5 | no     | Busybox x86_64 | x86_64       | CONTAINER       | 1.50MB | Mar 1, 2024 at 10:20am (UTC) |',
        '+-------------+--------------+--------+----------------+--------------+-----------------+--------+------------------------------+',
        '|             | 0123456789ab | yes    | Alpine 3.19    | x86_64       | VIRTUAL-MACHINE | 3.00MB | Mar 1, 2024 at 10:20am (UTC) |',
        '+-------------+--------------+--------+----------------+--------------+-----------------+--------+------------------------------+',
        '',
      ].join('\n'),
    );
    const csv = async (...args: string[]) => (await t.cube(['image', 'list', '-f', 'csv', '-c', 'fL', ...args])).stdout;
    expect(await csv()).toBe('5e1ab2c3d4e5,"bb\nbusybox"\n0123456789ab,\n');
    expect(await csv('os=alp.*')).toBe('0123456789ab,\n');
    expect(await csv('local:busy')).toBe('5e1ab2c3d4e5,"bb\nbusybox"\n');
    expect(await csv('public=true')).toBe('0123456789ab,\n');
    const json = JSON.parse((await t.cube(['image', 'list', '-f', 'json', '5e1a'])).stdout) as {
      fingerprint: string;
    }[];
    expect(json.map((i) => i.fingerprint)).toEqual([FINGERPRINT]);
  });

  it('list sends field filters to a server with api_filtering', async () => {
    t.fake.on('GET', '/1.0', sync({ api_extensions: ['api_filtering'] })).on('GET', '/1.0/images', sync([ALPINE]));
    await t.cube(['image', 'list', 'architecture=x86_64', 'os=alpine']);
    expect(t.fake.sequence[1]).toBe('GET /1.0/images?filter=architecture+eq+x86_64&recursion=1');
  });

  it('show prints the writable properties of an image found by alias; delete deletes by alias or fingerprint', async () => {
    t.fake
      .on('GET', '/1.0/images/aliases/busybox', sync({ name: 'busybox', target: FINGERPRINT, type: 'container' }))
      .on('GET', `/1.0/images/${FINGERPRINT}`, sync(BUSYBOX))
      .on('DELETE', `/1.0/images/${FINGERPRINT}`, asyncOperation({ id: 'op-image' }));
    expect((await t.cube(['image', 'show', 'busybox'])).stdout).toBe(
      [
        'auto_update: false',
        'properties:',
        '  description: Busybox x86_64',
        '  os: busybox',
        'public: false',
        'expires_at: 0001-01-01T00:00:00Z',
        'profiles:',
        '- default',
        '',
      ].join('\n'),
    );
    expect(await t.cube(['image', 'delete', 'busybox'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(t.fake.sequence.slice(-3)).toEqual([
      'GET /1.0/images/aliases/busybox',
      `DELETE /1.0/images/${FINGERPRINT}`,
      'GET /1.0/operations/op-image/wait',
    ]);
    t.fake.on('GET', '/1.0/images/nothing', lxdError(404, 'Image not found'));
    expect(await t.cube(['image', 'show', 'nothing'])).toMatchObject({ code: 1, stderr: 'Error: Image not found\n' });
  });

  it('alias create, rename, delete and list', async () => {
    t.fake.on('POST', '/1.0/images/aliases/bb', sync({}));
    await t.cube(['image', 'alias', 'create', 'bb', FINGERPRINT]);
    await t.cube(['image', 'alias', 'rename', 'bb', 'tiny']);
    await t.cube(['image', 'alias', 'delete', 'busybox']);
    expect(t.fake.sequence).toEqual([
      'POST /1.0/images/aliases',
      'POST /1.0/images/aliases/bb',
      'DELETE /1.0/images/aliases/busybox',
    ]);
    expect(t.fake.requests[0].body).toEqual({ description: '', target: FINGERPRINT, name: 'bb', type: '' });
    expect(t.fake.requests[1].body).toEqual({ name: 'tiny' });
    t.fake.on(
      'GET',
      '/1.0/images/aliases',
      sync([
        { name: 'busybox', target: FINGERPRINT, type: '', description: 'small' },
        { name: 'alpine', target: ALPINE.fingerprint, type: 'virtual-machine', description: '' },
      ]),
    );
    expect((await t.cube(['image', 'alias', 'list', '-f', 'csv'])).stdout).toBe(
      `alpine,0123456789ab,VIRTUAL-MACHINE,\nbusybox,5e1ab2c3d4e5,CONTAINER,small\n`,
    );
    expect((await t.cube(['image', 'alias', 'list', '-f', 'csv', 'local:busy'])).stdout).toBe(
      'busybox,5e1ab2c3d4e5,CONTAINER,small\n',
    );
    expect((await t.cube(['image', 'alias', 'delete', 'local:'])).stderr).toBe('Error: Alias name missing\n');
  });
});
