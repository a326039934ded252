import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRuntimeError } from '../errors/runtime-error';
import { NodeCommandRunner } from '../process/node-command-runner';
import { Clock } from '../util/clock';
import { DirStoragePool } from './dir-storage-pool';

describe('DirStoragePool', () => {
  let base: string;
  let pool: DirStoragePool;
  let imageDirectory: string;
  let now: number;
  const clock: Clock = { now: () => new Date(now) };

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-pool-'));
    now = Date.parse('2026-03-01T10:00:00Z');
    pool = new DirStoragePool(path.join(base, 'pool'), { runner: new NodeCommandRunner(), clock });
    imageDirectory = path.join(pool.imagesDirectory, 'f'.repeat(64));
    fs.mkdirSync(path.join(imageDirectory, 'rootfs/etc'), { recursive: true });
    fs.writeFileSync(path.join(imageDirectory, 'rootfs/etc/hostname'), 'image\n');
    fs.mkdirSync(path.join(imageDirectory, 'rootfs/home/user'), { recursive: true });
    fs.chownSync(path.join(imageDirectory, 'rootfs/home/user'), 1000, 1000);
    fs.symlinkSync('/etc/hostname', path.join(imageDirectory, 'rootfs/link'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const rootfs = (name: string) => path.join(base, 'pool/containers', name, 'rootfs');

  it('creates overlay volumes that hold only the upper and work layers', async () => {
    const volume = await pool.createInstanceVolume('ov1', { imageDirectory, layout: 'overlay' });
    expect(volume).toEqual({
      name: 'ov1',
      layout: 'overlay',
      path: path.join(base, 'pool/containers/ov1'),
      imageDirectory,
      createdAt: new Date(now),
      lowerPath: path.join(imageDirectory, 'rootfs'),
      upperPath: path.join(base, 'pool/containers/ov1/upper'),
      workPath: path.join(base, 'pool/containers/ov1/work'),
    });
    if (volume.layout !== 'overlay') throw new Error('expected an overlay volume');
    expect(fs.readdirSync(volume.upperPath)).toEqual([]);
    expect(fs.statSync(volume.path).mode & 0o777).toBe(0o711);
    expect(await pool.getInstanceVolume('ov1')).toEqual(volume);
  });

  it('creates copy volumes with owners and links preserved', async () => {
    const volume = await pool.createInstanceVolume('cp1', { imageDirectory, layout: 'copy' });
    expect(volume.layout).toBe('copy');
    expect(fs.readFileSync(path.join(rootfs('cp1'), 'etc/hostname'), 'utf8')).toBe('image\n');
    expect(fs.statSync(path.join(rootfs('cp1'), 'home/user')).uid).toBe(1000);
    expect(fs.readlinkSync(path.join(rootfs('cp1'), 'link'))).toBe('/etc/hostname');
    await expect(pool.createInstanceVolume('cp1', { imageDirectory, layout: 'copy' })).rejects.toThrow('Volume "cp1" already exists');
    expect(fs.readdirSync(path.join(base, 'pool/containers'))).toEqual(['cp1']);
  });

  it('snapshots, restores and deletes snapshots', async () => {
    await pool.createInstanceVolume('cp1', { imageDirectory, layout: 'copy' });
    fs.writeFileSync(path.join(rootfs('cp1'), 'before'), 'kept');
    const snap0 = await pool.createSnapshot('cp1', 'snap0');
    expect(snap0).toEqual({ name: 'snap0', volume: 'cp1', path: path.join(base, 'pool/containers-snapshots/cp1/snap0'), createdAt: new Date(now) });
    now += 1000;
    await pool.createSnapshot('cp1', 'snap1');
    fs.writeFileSync(path.join(rootfs('cp1'), 'after'), 'gone after restore');
    fs.writeFileSync(path.join(rootfs('cp1'), 'before'), 'changed');

    await pool.restoreSnapshot('cp1', 'snap0');
    expect(fs.existsSync(path.join(rootfs('cp1'), 'after'))).toBe(false);
    expect(fs.readFileSync(path.join(rootfs('cp1'), 'before'), 'utf8')).toBe('kept');
    expect(fs.readdirSync(path.join(base, 'pool/containers/cp1')).sort()).toEqual(['rootfs', 'volume.json']);

    expect((await pool.listSnapshots('cp1')).map((s) => s.name)).toEqual(['snap0', 'snap1']);
    await expect(pool.createSnapshot('cp1', 'snap0')).rejects.toThrow('Snapshot "snap0" of "cp1" already exists');
    await pool.deleteSnapshot('cp1', 'snap0');
    expect((await pool.listSnapshots('cp1')).map((s) => s.name)).toEqual(['snap1']);
    await expect(pool.restoreSnapshot('cp1', 'snap0')).rejects.toThrow('Snapshot "snap0" of "cp1" does not exist');
    await expect(pool.createSnapshot('cp1', '../x')).rejects.toThrow(/Invalid snapshot name/);
  });

  it('snapshots and restores the upper layer of overlay volumes and resets the work directory', async () => {
    const volume = await pool.createInstanceVolume('ov1', { imageDirectory, layout: 'overlay' });
    if (volume.layout !== 'overlay') throw new Error('expected an overlay volume');
    fs.writeFileSync(path.join(volume.upperPath, 'a'), 'a');
    await pool.createSnapshot('ov1', 's');
    fs.writeFileSync(path.join(volume.upperPath, 'b'), 'b');
    fs.mkdirSync(path.join(volume.workPath, 'work'));
    await pool.restoreSnapshot('ov1', 's');
    expect(fs.readdirSync(volume.upperPath)).toEqual(['a']);
    expect(fs.readdirSync(volume.workPath)).toEqual([]);
  });

  it('renames a volume with its snapshots and deletes both', async () => {
    await pool.createInstanceVolume('old', { imageDirectory, layout: 'copy' });
    await pool.createSnapshot('old', 's1');
    const renamed = await pool.renameInstanceVolume('old', 'new');
    expect(renamed.name).toBe('new');
    expect((await pool.listSnapshots('new')).map((s) => s.name)).toEqual(['s1']);
    await expect(pool.getInstanceVolume('old')).rejects.toThrow('Volume "old" does not exist');
    await pool.createInstanceVolume('other', { imageDirectory, layout: 'overlay' });
    await expect(pool.renameInstanceVolume('new', 'other')).rejects.toThrow('Volume "other" already exists');

    await pool.deleteInstanceVolume('new');
    expect(fs.readdirSync(path.join(base, 'pool/containers'))).toEqual(['other']);
    expect(fs.readdirSync(path.join(base, 'pool/containers-snapshots'))).toEqual([]);
    const error = await pool.deleteInstanceVolume('new').catch((e: Error) => e);
    expect(isRuntimeError(error, 'NotFound')).toBe(true);
  });

  it('refuses bad names, paths LXC cannot take and missing images', async () => {
    await expect(pool.createInstanceVolume('bad/name', { imageDirectory, layout: 'copy' })).rejects.toThrow(/Invalid instance name/);
    await expect(pool.createInstanceVolume('c1', { imageDirectory: path.join(base, 'nothing'), layout: 'copy' })).rejects.toThrow(/No image root filesystem/);
    expect(() => new DirStoragePool('/tmp/with:colon', { runner: new NodeCommandRunner() })).toThrow(/must not contain/);
    expect(() => new DirStoragePool('relative/pool', { runner: new NodeCommandRunner() })).toThrow(/must be an absolute path/);
  });
});
