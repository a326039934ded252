/**
 * The `dir` storage pool: plain directories below the pool root.
 *
 *   <root>/images/<fingerprint>/                   unpacked images (an ImageStore)
 *   <root>/containers/<name>/volume.json           layout, image and creation time of the volume
 *   <root>/containers/<name>/{upper,work}/         overlay layout
 *   <root>/containers/<name>/rootfs/               copy layout
 *   <root>/containers-snapshots/<name>/<snapshot>/ snapshot.json and a copy of upper/ or rootfs/
 *
 * Everything that is created is first assembled under a temporary name and renamed into place, and
 * everything that is deleted is renamed away first, so a volume or snapshot directory is complete
 * whenever it exists. Copies use `cp -a`, which keeps owners, modes, links, device nodes and xattrs
 * (overlayfs whiteouts and opaque markers included).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { assertInstanceName, assertSnapshotName } from '../driver/instance-name';
import { RuntimeError } from '../errors/runtime-error';
import { assertSucceeded, CommandRunner, describeCommand } from '../process/command-runner';
import { Clock, systemClock } from '../util/clock';
import { assertConfigSafePath } from '../util/safe-path';
import { CreateVolumeRequest, InstanceVolume, StoragePool, VolumeLayout, VolumeSnapshot } from './storage-pool';

export interface DirStoragePoolOptions {
  runner: CommandRunner;
  clock?: Clock;
  /** Limit for copying one root filesystem; default 10 minutes. */
  copyTimeoutMs?: number;
}

interface VolumeRecord {
  layout: VolumeLayout;
  imageDirectory: string;
  createdAt: string;
}

interface SnapshotRecord {
  layout: VolumeLayout;
  createdAt: string;
}

/** Containers must be able to traverse to their root filesystems from inside a user namespace. */
const TRAVERSABLE = 0o711;

async function isDirectory(target: string): Promise<boolean> {
  return (await fs.lstat(target).catch(() => null))?.isDirectory() ?? false;
}

function contentDirectory(layout: VolumeLayout): string {
  return layout === 'overlay' ? 'upper' : 'rootfs';
}

export class DirStoragePool implements StoragePool {
  readonly root: string;
  readonly imagesDirectory: string;
  private readonly containersDirectory: string;
  private readonly snapshotsDirectory: string;
  private readonly runner: CommandRunner;
  private readonly clock: Clock;
  private readonly copyTimeoutMs: number;

  constructor(root: string, options: DirStoragePoolOptions) {
    assertConfigSafePath(root, 'The storage pool root');
    this.root = path.resolve(root);
    this.imagesDirectory = path.join(this.root, 'images');
    this.containersDirectory = path.join(this.root, 'containers');
    this.snapshotsDirectory = path.join(this.root, 'containers-snapshots');
    this.runner = options.runner;
    this.clock = options.clock ?? systemClock;
    this.copyTimeoutMs = options.copyTimeoutMs ?? 600_000;
  }

  volumePath(name: string): string {
    assertInstanceName(name);
    return path.join(this.containersDirectory, name);
  }

  snapshotPath(volume: string, snapshot: string): string {
    assertInstanceName(volume);
    assertSnapshotName(snapshot);
    return path.join(this.snapshotsDirectory, volume, snapshot);
  }

  async createInstanceVolume(name: string, request: CreateVolumeRequest): Promise<InstanceVolume> {
    const target = this.volumePath(name);
    const imageDirectory = path.resolve(request.imageDirectory);
    assertConfigSafePath(imageDirectory, 'The image directory');
    const lower = path.join(imageDirectory, 'rootfs');
    const lowerStat = await fs.lstat(lower).catch(() => null);
    if (!lowerStat?.isDirectory()) throw new RuntimeError('NotFound', `No image root filesystem at ${lower}`);
    if (request.layout !== 'overlay' && request.layout !== 'copy') {
      throw new RuntimeError('InvalidArgument', `Unknown volume layout "${String(request.layout)}"`);
    }
    await this.ensureDirectories();
    if (await isDirectory(target)) throw new RuntimeError('AlreadyExists', `Volume "${name}" already exists`);

    const temporary = await fs.mkdtemp(path.join(this.containersDirectory, `.create-${name}-`));
    try {
      await fs.chmod(temporary, TRAVERSABLE);
      if (request.layout === 'overlay') {
        // The merged root takes its owner and mode from the upper layer's root.
        const upper = path.join(temporary, 'upper');
        await fs.mkdir(upper);
        await fs.chown(upper, lowerStat.uid, lowerStat.gid);
        await fs.chmod(upper, lowerStat.mode & 0o7777);
        await fs.mkdir(path.join(temporary, 'work'), { mode: 0o700 });
      } else {
        await this.copy(lower, path.join(temporary, 'rootfs'));
      }
      const record: VolumeRecord = { layout: request.layout, imageDirectory, createdAt: this.clock.now().toISOString() };
      await fs.writeFile(path.join(temporary, 'volume.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await fs.rename(temporary, target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') throw new RuntimeError('AlreadyExists', `Volume "${name}" already exists`);
        throw error;
      });
    } catch (error) {
      await fs.rm(temporary, { recursive: true, force: true });
      throw error;
    }
    return this.getInstanceVolume(name);
  }

  async getInstanceVolume(name: string): Promise<InstanceVolume> {
    const target = this.volumePath(name);
    let record: VolumeRecord;
    try {
      record = JSON.parse(await fs.readFile(path.join(target, 'volume.json'), 'utf8')) as VolumeRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RuntimeError('NotFound', `Volume "${name}" does not exist`);
      throw new RuntimeError('Failed', `Cannot read volume "${name}"`, (error as Error).message);
    }
    const base = { name, path: target, imageDirectory: record.imageDirectory, createdAt: new Date(record.createdAt) };
    if (record.layout === 'overlay') {
      return {
        ...base,
        layout: 'overlay',
        lowerPath: path.join(record.imageDirectory, 'rootfs'),
        upperPath: path.join(target, 'upper'),
        workPath: path.join(target, 'work'),
      };
    }
    return { ...base, layout: 'copy', rootfsPath: path.join(target, 'rootfs') };
  }

  async deleteInstanceVolume(name: string): Promise<void> {
    const target = this.volumePath(name);
    if (!(await isDirectory(target))) throw new RuntimeError('NotFound', `Volume "${name}" does not exist`);
    await this.removeAway(this.containersDirectory, target, name);
    const snapshots = path.join(this.snapshotsDirectory, name);
    if (await isDirectory(snapshots)) await this.removeAway(this.snapshotsDirectory, snapshots, name);
  }

  async renameInstanceVolume(name: string, newName: string): Promise<InstanceVolume> {
    const from = this.volumePath(name);
    const to = this.volumePath(newName);
    if (!(await isDirectory(from))) throw new RuntimeError('NotFound', `Volume "${name}" does not exist`);
    if (await isDirectory(to)) throw new RuntimeError('AlreadyExists', `Volume "${newName}" already exists`);
    const fromSnapshots = path.join(this.snapshotsDirectory, name);
    const toSnapshots = path.join(this.snapshotsDirectory, newName);
    if (await isDirectory(toSnapshots)) throw new RuntimeError('AlreadyExists', `Snapshots of "${newName}" already exist`);
    await fs.rename(from, to);
    if (await isDirectory(fromSnapshots)) await fs.rename(fromSnapshots, toSnapshots);
    return this.getInstanceVolume(newName);
  }

  async createSnapshot(volume: string, snapshot: string): Promise<VolumeSnapshot> {
    const source = await this.getInstanceVolume(volume);
    const target = this.snapshotPath(volume, snapshot);
    if (await isDirectory(target)) throw new RuntimeError('AlreadyExists', `Snapshot "${snapshot}" of "${volume}" already exists`);
    const parent = path.dirname(target);
    await fs.mkdir(parent, { recursive: true, mode: 0o700 });
    const temporary = await fs.mkdtemp(path.join(parent, `.create-${snapshot}-`));
    try {
      const content = contentDirectory(source.layout);
      await this.copy(source.layout === 'overlay' ? source.upperPath : source.rootfsPath, path.join(temporary, content));
      const record: SnapshotRecord = { layout: source.layout, createdAt: this.clock.now().toISOString() };
      await fs.writeFile(path.join(temporary, 'snapshot.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await fs.rename(temporary, target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') {
          throw new RuntimeError('AlreadyExists', `Snapshot "${snapshot}" of "${volume}" already exists`);
        }
        throw error;
      });
      return { name: snapshot, volume, path: target, createdAt: new Date(record.createdAt) };
    } catch (error) {
      await fs.rm(temporary, { recursive: true, force: true });
      throw error;
    }
  }

  async restoreSnapshot(volume: string, snapshot: string): Promise<void> {
    const current = await this.getInstanceVolume(volume);
    const saved = await this.readSnapshot(volume, snapshot);
    const content = contentDirectory(current.layout);
    if (saved.layout !== current.layout) {
      throw new RuntimeError('InvalidState', `Snapshot "${snapshot}" has the ${saved.layout} layout, volume "${volume}" the ${current.layout} layout`);
    }
    const staging = await fs.mkdtemp(path.join(current.path, '.restore-'));
    try {
      await this.copy(path.join(saved.path, content), path.join(staging, content));
      const live = path.join(current.path, content);
      const old = path.join(staging, `${content}.old`);
      await fs.rename(live, old);
      await fs.rename(path.join(staging, content), live);
      if (current.layout === 'overlay') {
        // overlayfs' work directory must not hold state from the replaced upper layer.
        await fs.rm(current.workPath, { recursive: true, force: true });
        await fs.mkdir(current.workPath, { mode: 0o700 });
      }
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  }

  async renameSnapshot(volume: string, snapshot: string, newName: string): Promise<VolumeSnapshot> {
    const saved = await this.readSnapshot(volume, snapshot);
    const target = this.snapshotPath(volume, newName);
    if ((await fs.lstat(target).catch(() => null)) !== null) {
      throw new RuntimeError('AlreadyExists', `Snapshot "${newName}" of "${volume}" already exists`);
    }
    await fs.rename(saved.path, target);
    return { name: newName, volume, path: target, createdAt: saved.createdAt };
  }

  async deleteSnapshot(volume: string, snapshot: string): Promise<void> {
    const saved = await this.readSnapshot(volume, snapshot);
    await this.removeAway(path.dirname(saved.path), saved.path, snapshot);
  }

  async listSnapshots(volume: string): Promise<VolumeSnapshot[]> {
    await this.getInstanceVolume(volume);
    const parent = path.join(this.snapshotsDirectory, volume);
    let names: string[];
    try {
      names = await fs.readdir(parent);
    } catch {
      return [];
    }
    const snapshots: VolumeSnapshot[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const found = await this.readSnapshot(volume, name);
      snapshots.push({ name: found.name, volume: found.volume, path: found.path, createdAt: found.createdAt });
    }
    return snapshots.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  }

  private async readSnapshot(volume: string, snapshot: string): Promise<VolumeSnapshot & { layout: VolumeLayout }> {
    const target = this.snapshotPath(volume, snapshot);
    let record: SnapshotRecord;
    try {
      record = JSON.parse(await fs.readFile(path.join(target, 'snapshot.json'), 'utf8')) as SnapshotRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RuntimeError('NotFound', `Snapshot "${snapshot}" of "${volume}" does not exist`);
      }
      throw new RuntimeError('Failed', `Cannot read snapshot "${snapshot}" of "${volume}"`, (error as Error).message);
    }
    return { name: snapshot, volume, path: target, createdAt: new Date(record.createdAt), layout: record.layout };
  }

  private async ensureDirectories(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: TRAVERSABLE });
    for (const dir of [this.containersDirectory, this.snapshotsDirectory, this.imagesDirectory]) {
      await fs.mkdir(dir, { recursive: true });
    }
    await fs.chmod(this.containersDirectory, TRAVERSABLE);
    await fs.chmod(this.snapshotsDirectory, 0o700);
  }

  private async copy(from: string, to: string): Promise<void> {
    const args = ['-a', '--reflink=auto', '--', from, to];
    const result = await this.runner.run('cp', args, { timeoutMs: this.copyTimeoutMs });
    assertSucceeded(result, `Cannot copy ${from}`, describeCommand('cp', args));
  }

  /** Moves `target` out of sight within `parent`, then deletes it. */
  private async removeAway(parent: string, target: string, label: string): Promise<void> {
    const doomed = await fs.mkdtemp(path.join(parent, `.delete-${label}-`));
    await fs.rename(target, path.join(doomed, 'content'));
    await fs.rm(doomed, { recursive: true, force: true });
  }
}
