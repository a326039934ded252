import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRuntimeError } from '../errors/runtime-error';
import { ContainerFiles } from './container-files';

describe('ContainerFiles', () => {
  let base: string;
  let root: string;
  let files: ContainerFiles;

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-files-'));
    root = path.join(base, 'root');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/hostname'), 'image\n');
    fs.symlinkSync('/etc', path.join(root, 'etclink'));
    fs.symlinkSync('../../../../..', path.join(root, 'escape'));
    fs.symlinkSync(base, path.join(root, 'hostdir'));
    files = new ContainerFiles(root);
  });

  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('the operation succeeded');
  }

  it('creates files as root 0644 by default and with the owner and mode asked for', async () => {
    await files.write({ path: '/etc/motd', content: 'hello\n' });
    await files.write({ path: '/etc/secret', content: Buffer.from([1, 2, 3]), uid: 1000, gid: 1001, mode: 0o600 });
    expect(await files.read('/etc/motd')).toEqual({ type: 'file', content: Buffer.from('hello\n'), uid: 0, gid: 0, mode: 0o644 });
    expect(await files.read('/etc/secret')).toEqual({ type: 'file', content: Buffer.from([1, 2, 3]), uid: 1000, gid: 1001, mode: 0o600 });
    const stat = fs.statSync(path.join(root, 'etc/secret'));
    expect([stat.uid, stat.gid, stat.mode & 0o7777]).toEqual([1000, 1001, 0o600]);
  });

  it('keeps the owner and mode of an existing file unless told otherwise, and appends', async () => {
    await files.write({ path: '/etc/log', content: 'a', uid: 5, gid: 6, mode: 0o640 });
    await files.write({ path: '/etc/log', content: 'b', write: 'append' });
    expect(await files.read('/etc/log')).toMatchObject({ content: Buffer.from('ab'), uid: 5, gid: 6, mode: 0o640 });
    await files.write({ path: '/etc/log', content: 'c', mode: 0o4755 });
    expect(await files.read('/etc/log')).toMatchObject({ content: Buffer.from('c'), uid: 5, gid: 6, mode: 0o4755 });
  });

  it('writes through symlinks that stay inside the root', async () => {
    await files.write({ path: '/etclink/motd', content: 'via link' });
    expect(fs.readFileSync(path.join(root, 'etc/motd'), 'utf8')).toBe('via link');
  });

  it('refuses paths that escape, and leaves the host alone', async () => {
    for (const p of ['/../evil', '/escape/evil', '/etc/../../evil']) {
      const error = await failure(files.write({ path: p, content: 'x' }));
      expect(isRuntimeError(error, 'InvalidArgument')).toBe(true);
      expect(error.message).toMatch(/escapes the container root/);
    }
    const error = await failure(files.write({ path: '/hostdir/evil', content: 'x' }));
    expect(isRuntimeError(error, 'NotFound')).toBe(true);
    expect(fs.readdirSync(base).sort()).toEqual(['root']);
    expect(await failure(files.read('/escape/etc/passwd'))).toHaveProperty('code', 'InvalidArgument');
  });

  it('reads directories and symlinks as what they are', async () => {
    expect(await files.read('/')).toMatchObject({ type: 'directory', entries: ['escape', 'etc', 'etclink', 'hostdir'] });
    expect(await files.read('/etclink')).toMatchObject({ type: 'symlink', target: '/etc' });
    const listing = await files.list('/etclink');
    expect(listing).toEqual([{ name: 'hostname', type: 'file', uid: 0, gid: 0, mode: 0o644, size: 6 }]);
  });

  it('creates directories and symlinks with owners', async () => {
    await files.write({ path: '/srv/data', type: 'directory', createParents: true, uid: 7, gid: 8, mode: 0o750 });
    expect(await files.read('/srv')).toMatchObject({ type: 'directory', uid: 0, gid: 0, mode: 0o755 });
    expect(await files.read('/srv/data')).toMatchObject({ type: 'directory', uid: 7, gid: 8, mode: 0o750 });
    await files.write({ path: '/srv/link', type: 'symlink', target: '../etc/hostname', uid: 7, gid: 8 });
    expect(fs.readlinkSync(path.join(root, 'srv/link'))).toBe('../etc/hostname');
    expect(fs.lstatSync(path.join(root, 'srv/link')).uid).toBe(7);
    await files.write({ path: '/srv/link', type: 'symlink', target: '/etc' });
    expect(fs.readlinkSync(path.join(root, 'srv/link'))).toBe('/etc');
  });

  it('refuses to replace something of another type', async () => {
    expect((await failure(files.write({ path: '/etc', content: 'x' }))).message).toMatch(/not a regular file/);
    expect((await failure(files.write({ path: '/etc/hostname', type: 'directory' }))).message).toMatch(/something else is there/);
    expect((await failure(files.write({ path: '/etc', type: 'symlink', target: '/' }))).message).toMatch(/a directory is there/);
    expect((await failure(files.write({ path: '/etc/x', content: 'x', mode: 0o10000 }))).message).toMatch(/Invalid mode/);
    expect((await failure(files.write({ path: '/nope/x', content: 'x' }))).message).toMatch(/does not exist/);
  });

  it('deletes files, symlinks (not their targets) and directories', async () => {
    await files.delete('/etclink');
    expect(fs.existsSync(path.join(root, 'etc/hostname'))).toBe(true);
    expect(isRuntimeError(await failure(files.delete('/etc')), 'InvalidState')).toBe(true);
    await files.delete('/etc', { recursive: true });
    expect(fs.existsSync(path.join(root, 'etc'))).toBe(false);
    expect(isRuntimeError(await failure(files.delete('/etc')), 'NotFound')).toBe(true);
    expect((await failure(files.delete('/'))).message).toBe('The container root cannot be deleted');
    expect(fs.existsSync(base)).toBe(true);
  });
});
