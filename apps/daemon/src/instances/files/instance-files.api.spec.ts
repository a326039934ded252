/**
 * /1.0/instances/<name>/files against a daemon on a unix socket, with instances of a
 * FakeRuntimeDriver: pushes with LXD's headers and raw bodies of any Content-Type, pulls of files,
 * symlinks and directories, HEAD, DELETE, confinement to the container and LXD's errors.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeRuntimeDriver } from '@app/runtime';
import type { Daemon } from '../../server';
import { DriverInstances, request, startInstanceIoDaemon } from '../../testing/instance-io-test-daemon';
import { InstanceFilesController } from './instance-files.controller';

describe('instance files over the API', () => {
  let tmp: string;
  let daemon: Daemon;
  let driver: FakeRuntimeDriver;
  let socket: string;

  const call = (method: string, urlPath: string, body?: Buffer | string, headers: http.OutgoingHttpHeaders = {}) => request(socket, method, urlPath, body, headers);
  const files = (p: string, name = 'c1') => `/1.0/instances/${name}/files?path=${encodeURIComponent(p)}`;
  const push = (p: string, content: string | Buffer, headers: http.OutgoingHttpHeaders = {}) => call('POST', files(p), content, headers);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-files-'));
    driver = new FakeRuntimeDriver();
    driver.addImage('/images/busybox', { architecture: 'x86_64', files: { '/etc/hostname': 'c1\n', '/bin/busybox': 'ELF', '/root/.profile': '', '/srv/.keep': '', '/tmp/.keep': '' } });
    await driver.create({ name: 'c1', imageDirectory: '/images/busybox', privileged: false });
    await driver.writeFile('c1', { path: '/bin/sh', type: 'symlink', target: 'busybox' });
    // The core, profiles (a JSON route), and the files routes on the fake driver's instances.
    daemon = await startInstanceIoDaemon(path.join(tmp, 'state'), { runtime: new DriverInstances(driver), controllers: [InstanceFilesController] });
    socket = daemon.socketPath;
  });

  afterAll(async () => {
    await daemon?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pulls a file raw, with its owner, mode and type', async () => {
    const r = await call('GET', files('/etc/hostname'));
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('c1\n');
    expect(r.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': '3',
      'content-disposition': 'inline;filename=hostname',
      'x-lxd-uid': '0',
      'x-lxd-gid': '0',
      'x-lxd-mode': '0644',
      'x-lxd-type': 'file',
    });
    // A relative path is taken from the root, as LXD does.
    expect((await call('GET', files('etc/hostname'))).body.toString()).toBe('c1\n');
  });

  it('answers HEAD with the headers only', async () => {
    const r = await call('HEAD', files('/etc/hostname'));
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    expect(r.headers).toMatchObject({ 'x-lxd-type': 'file', 'x-lxd-mode': '0644', 'x-lxd-uid': '0' });
    expect((await call('HEAD', files('/nothing'))).status).toBe(404);
  });

  it('pushes a file from a raw body whatever its Content-Type, with owner and mode', async () => {
    // lxc and pylxd send no Content-Type; curl sends its form type.
    for (const [name, headers] of [
      ['none', {}],
      ['octet', { 'Content-Type': 'application/octet-stream' }],
      ['form', { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['json', { 'Content-Type': 'application/json' }],
    ] as const) {
      const r = await push(`/root/${name}.txt`, `{"not": "json for ${name}"`, { 'X-LXD-uid': '1000', 'X-LXD-gid': '1001', 'X-LXD-mode': '0640', ...headers });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ type: 'sync', status: 'Success', status_code: 200, operation: '', error_code: 0, error: '', metadata: {} });
      expect(await driver.readFile('c1', `/root/${name}.txt`)).toMatchObject({ type: 'file', content: Buffer.from(`{"not": "json for ${name}"`), uid: 1000, gid: 1001, mode: 0o640 });
    }
    expect((await push('/root/chunked.txt', '{"chunked"', { 'Transfer-Encoding': 'chunked' })).status).toBe(200);
    expect((await driver.readFile('c1', '/root/chunked.txt')).type === 'file' && (await driver.readFile('c1', '/root/chunked.txt'))).toMatchObject({ content: Buffer.from('{"chunked"') });
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    expect((await push('/root/binary', binary)).status).toBe(200);
    expect((await call('GET', files('/root/binary'))).body).toEqual(binary);
    expect((await call('GET', files('/root/none.txt'))).headers).toMatchObject({ 'x-lxd-uid': '1000', 'x-lxd-gid': '1001', 'x-lxd-mode': '0640' });
  });

  it('keeps the owner and mode of an existing file, and appends', async () => {
    await push('/root/kept', 'one\n', { 'X-LXD-mode': '0600', 'X-LXD-uid': '5' });
    await push('/root/kept', 'two\n', { 'X-LXD-mode': '0777', 'X-LXD-uid': '6' });
    expect(await driver.readFile('c1', '/root/kept')).toMatchObject({ content: Buffer.from('two\n'), mode: 0o600, uid: 5 });
    expect((await push('/root/kept', 'three\n', { 'X-LXD-write': 'append' })).status).toBe(200);
    expect(await driver.readFile('c1', '/root/kept')).toMatchObject({ content: Buffer.from('two\nthree\n') });
    expect((await push('/root/absent', 'x', { 'X-LXD-write': 'append' })).json).toMatchObject({ error_code: 404 });
  });

  it('reads a mode without a leading 0 as decimal, as LXD does', async () => {
    await push('/root/decimal', 'x', { 'X-LXD-mode': '420' });
    expect((await driver.readFile('c1', '/root/decimal')).mode).toBe(0o644);
  });

  it('creates directories (0750 unless told) and lists them', async () => {
    expect((await push('/srv/data', '', { 'X-LXD-type': 'directory', 'X-LXD-uid': '7', 'X-LXD-gid': '8' })).status).toBe(200);
    expect(await driver.readFile('c1', '/srv/data')).toMatchObject({ type: 'directory', mode: 0o750, uid: 7, gid: 8 });
    expect((await push('/srv/data', '', { 'X-LXD-type': 'directory', 'X-LXD-mode': '0700' })).status).toBe(200);
    expect((await driver.readFile('c1', '/srv/data')).mode).toBe(0o750);
    await push('/srv/data/b', 'b');
    await push('/srv/data/a', 'a');
    const r = await call('GET', files('/srv/data'));
    expect(r.status).toBe(200);
    expect(r.headers).toMatchObject({ 'content-type': expect.stringMatching(/^application\/json/), 'x-lxd-type': 'directory', 'x-lxd-mode': '0750', 'x-lxd-uid': '7' });
    expect(r.json).toMatchObject({ type: 'sync', status_code: 200, metadata: ['a', 'b'] });
  });

  it('creates symlinks and pulls them as their absolute target', async () => {
    expect((await push('/root/link', '../etc/hostname', { 'X-LXD-type': 'symlink' })).status).toBe(200);
    expect(await driver.readFile('c1', '/root/link')).toMatchObject({ type: 'symlink', target: '../etc/hostname' });
    const r = await call('GET', files('/root/link'));
    expect(r.headers['x-lxd-type']).toBe('symlink');
    expect(r.body.toString()).toBe('/etc/hostname');
    expect((await call('GET', files('/bin/sh'))).body.toString()).toBe('/bin/busybox');
    // The same link again is fine; something else in the way is not.
    expect((await push('/root/link', '../etc/hostname', { 'X-LXD-type': 'symlink' })).status).toBe(200);
    expect((await push('/root/link', '/elsewhere', { 'X-LXD-type': 'symlink' })).json).toMatchObject({ error_code: 400 });
  });

  it('deletes files, symlinks and empty directories', async () => {
    await push('/tmp/gone', 'x');
    expect((await call('DELETE', files('/tmp/gone'))).json).toMatchObject({ type: 'sync', metadata: {} });
    expect((await call('GET', files('/tmp/gone'))).json).toMatchObject({ type: 'error', error_code: 404 });
    await push('/tmp/full', '', { 'X-LXD-type': 'directory' });
    await push('/tmp/full/file', 'x');
    expect((await call('DELETE', files('/tmp/full'))).json).toMatchObject({ error_code: 400, error: 'Directory "/tmp/full" is not empty' });
  });

  it('refuses paths that leave the container with a 400', async () => {
    for (const [method, target] of [
      ['GET', '/../../etc/shadow'],
      ['POST', '/../outside'],
      ['DELETE', '/../../etc/passwd'],
    ] as const) {
      const r = await call(method, files(target), method === 'POST' ? 'x' : undefined);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ type: 'error', error_code: 400, error: expect.stringMatching(/escapes the container root/) });
    }
    await driver.writeFile('c1', { path: '/root/escape', type: 'symlink', target: '../../../../etc' });
    expect((await call('GET', files('/root/escape/passwd'))).json).toMatchObject({ error_code: 400, error: expect.stringMatching(/through the symbolic link/) });
  });

  it('answers bad requests with LXD errors', async () => {
    expect((await call('GET', '/1.0/instances/c1/files')).json).toMatchObject({ error_code: 400, error: 'Missing path argument' });
    expect((await push('/root/x', 'x', { 'X-LXD-type': 'fifo' })).json).toMatchObject({ error_code: 400, error: 'Bad file type: fifo' });
    expect((await push('/root/x', 'x', { 'X-LXD-write': 'prepend' })).json).toMatchObject({ error_code: 400, error: 'Bad file write mode: prepend' });
    expect((await push('/root/x', 'x', { 'X-LXD-mode': 'rwx' })).json).toMatchObject({ error_code: 400, error: expect.stringMatching(/^Invalid X-LXD-mode header "rwx"/) });
    expect((await push('/root/x', 'x', { 'X-LXD-uid': 'root' })).json).toMatchObject({ error_code: 400, error: expect.stringMatching(/^Invalid X-LXD-uid header "root"/) });
    expect((await call('GET', files('/etc/hostname', 'missing'))).json).toMatchObject({ error_code: 404, error: 'Instance not found' });
  });

  it('serves /1.0/containers/<name>/files as well', async () => {
    expect((await call('GET', '/1.0/containers/c1/files?path=/etc/hostname')).body.toString()).toBe('c1\n');
  });

  it('still decodes an application/octet-stream body as JSON on other routes', async () => {
    const r = await call('PATCH', '/1.0', JSON.stringify({ config: { 'user.octet': '1' } }), { 'Content-Type': 'application/octet-stream' });
    expect(r.status).toBe(200);
    const broken = await call('PATCH', '/1.0', '{"config":', { 'Content-Type': 'application/octet-stream' });
    expect(broken.json).toMatchObject({ type: 'error', error_code: 400 });
  });
});
