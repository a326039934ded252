import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';

/** Files of instance c1 served the way LXD serves them: raw content with X-LXD-* headers, directories as JSON. */
const FILES: Record<string, { type: string; mode: string; content: string }> = {
  '/etc': { type: 'directory', mode: '0755', content: JSON.stringify({ type: 'sync', metadata: ['hosts', 'link'] }) },
  '/etc/hosts': { type: 'file', mode: '0640', content: '127.0.0.1 localhost\n' },
  '/etc/link': { type: 'symlink', mode: '0777', content: 'hosts' },
};

/** A daemon that serves FILES raw (the fake LXD answers JSON only), on its own socket. */
async function startFileServer(socketPath: string): Promise<{ urls: string[]; close(): Promise<void> }> {
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const file = url.pathname === '/1.0/instances/c1/files' ? FILES[url.searchParams.get('path') ?? ''] : undefined;
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(lxdError(404, 'Not found').body));
      return;
    }
    res.writeHead(200, { 'X-LXD-type': file.type, 'X-LXD-mode': file.mode, 'X-LXD-uid': '0', 'X-LXD-gid': '0' });
    res.end(file.content);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { urls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('cube file', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake.on('POST', '/1.0/instances/c1/files', sync({})).on('DELETE', '/1.0/instances/c1/files', sync({}));
  });
  afterEach(() => t.close());

  it('push sends the content with the owner and mode of the local file', async () => {
    const local = path.join(t.tmp, 'motd');
    fs.writeFileSync(local, 'welcome\n', { mode: 0o640 });
    fs.chmodSync(local, 0o640);
    const r = await t.cube(['file', 'push', local, 'c1/etc/motd']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const req = t.fake.requests[0];
    expect(req.url).toBe('/1.0/instances/c1/files?path=%2Fetc%2Fmotd');
    expect(req.headers).toMatchObject({
      'x-lxd-uid': String(process.getuid!()),
      'x-lxd-gid': String(process.getgid!()),
      'x-lxd-mode': '0640',
      'x-lxd-type': 'file',
      'content-length': '8',
    });
    expect(req.body).toBe('welcome\n');
  });

  it('push takes --uid, --gid and --mode, standard input as -, and a directory target', async () => {
    const r = await t.cube(['file', 'push', '-', 'c1/root/', '--uid', '1000', '--gid', '100', '--mode', '600'], {
      stdin: 'from stdin',
    });
    expect(r.code).toBe(0);
    const req = t.fake.requests[0];
    expect(req.query).toEqual({ path: '/root/stdin' });
    expect(req.headers).toMatchObject({ 'x-lxd-uid': '1000', 'x-lxd-gid': '100', 'x-lxd-mode': '0600' });
    expect(req.body).toBe('from stdin');
    expect((await t.cube(['file', 'push', '-', '-', 'c1/root/file'])).stderr).toBe('Error: Missing target directory\n');
  });

  it('push -p creates the missing parent directories first', async () => {
    t.fake.on('GET', '/1.0/instances/c1/files', (req) =>
      req.query.path === '/srv'
        ? { status: 200, headers: { 'X-LXD-type': 'directory' }, body: sync([]).body }
        : lxdError(404, 'Not found'),
    );
    const local = path.join(t.tmp, 'index.html');
    fs.writeFileSync(local, '<p>');
    const r = await t.cube(['file', 'push', '-p', local, 'c1/srv/www/site/index.html']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(t.fake.sequence).toEqual([
      'GET /1.0/instances/c1/files?path=%2Fsrv%2Fwww%2Fsite',
      'GET /1.0/instances/c1/files?path=%2Fsrv%2Fwww',
      'GET /1.0/instances/c1/files?path=%2Fsrv',
      'POST /1.0/instances/c1/files?path=%2Fsrv%2Fwww',
      'POST /1.0/instances/c1/files?path=%2Fsrv%2Fwww%2Fsite',
      'POST /1.0/instances/c1/files?path=%2Fsrv%2Fwww%2Fsite%2Findex.html',
    ]);
    expect(t.fake.requests[3].headers['x-lxd-type']).toBe('directory');
    expect(t.fake.requests[3].headers['x-lxd-mode']).toBeUndefined();
  });

  it('push -r sends a tree: directories, files and symlinks', async () => {
    const tree = path.join(t.tmp, 'site');
    fs.mkdirSync(path.join(tree, 'css'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'css', 'a.css'), 'body{}');
    fs.symlinkSync('css/a.css', path.join(tree, 'main.css'));
    const r = await t.cube(['file', 'push', '-r', tree, 'c1/srv']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const sent = t.fake.requests.map((req) => [req.query.path, req.headers['x-lxd-type'], req.body ?? '']);
    expect(sent).toEqual([
      ['/srv/site', 'directory', ''],
      ['/srv/site/css', 'directory', ''],
      ['/srv/site/css/a.css', 'file', 'body{}'],
      ['/srv/site/main.css', 'symlink', 'css/a.css'],
    ]);
    expect((await t.cube(['file', 'push', '-r', '--uid', '0', tree, 'c1/srv'])).stderr).toBe(
      "Error: Can't supply uid/gid/mode in recursive mode\n",
    );
  });

  it('pull writes files with their mode, to standard output with -, follows links for -, and trees with -r', async () => {
    const socket = path.join(t.tmp, 'files.socket');
    const server = await startFileServer(socket);
    fs.mkdirSync(t.env.CUBE_CONF!, { recursive: true });
    fs.writeFileSync(
      path.join(t.env.CUBE_CONF!, 'config.yml'),
      `default-remote: files\nremotes:\n  files:\n    addr: unix://${socket}\n    public: false\n`,
    );
    try {
      const out = path.join(t.tmp, 'hosts');
      expect(await t.cube(['file', 'pull', 'c1/etc/hosts', out])).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(fs.readFileSync(out, 'utf8')).toBe('127.0.0.1 localhost\n');
      expect(fs.statSync(out).mode & 0o777).toBe(0o640);

      expect((await t.cube(['file', 'pull', 'files:c1/etc/link', '-'])).stdout).toBe('127.0.0.1 localhost\n');

      const link = path.join(t.tmp, 'link');
      await t.cube(['file', 'pull', 'c1/etc/link', link]);
      expect(fs.readlinkSync(link)).toBe('hosts');

      expect((await t.cube(['file', 'pull', 'c1/etc', t.tmp])).stderr).toBe(
        "Error: Can't pull a directory without --recursive\n",
      );
      const copy = path.join(t.tmp, 'copy');
      expect((await t.cube(['file', 'pull', '-r', 'c1/etc', copy])).code).toBe(0);
      expect(fs.readFileSync(path.join(copy, 'etc', 'hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
      expect(fs.readlinkSync(path.join(copy, 'etc', 'link'))).toBe('hosts');

      const nested = path.join(t.tmp, 'a', 'b', 'hosts');
      expect((await t.cube(['file', 'pull', '-p', 'c1/etc/hosts', nested])).code).toBe(0);
      expect(fs.existsSync(nested)).toBe(true);

      expect(await t.cube(['file', 'pull', 'c1/nothing', out])).toMatchObject({
        code: 1,
        stderr: 'Error: Not found\n',
      });
      expect(server.urls[0]).toBe('/1.0/instances/c1/files?path=%2Fetc%2Fhosts');
    } finally {
      await server.close();
    }
  });

  it('delete removes each file, and refuses a path without an instance', async () => {
    const r = await t.cube(['file', 'delete', 'c1/tmp/a', 'c1/tmp/b c']);
    expect(r.code).toBe(0);
    expect(t.fake.sequence).toEqual([
      'DELETE /1.0/instances/c1/files?path=%2Ftmp%2Fa',
      'DELETE /1.0/instances/c1/files?path=%2Ftmp%2Fb+c',
    ]);
    expect((await t.cube(['file', 'rm', 'c1'])).stderr).toBe('Error: Invalid path c1\n');
  });
});
