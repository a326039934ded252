/**
 * Scaffolding for tests against real LXC: a temporary directory with a storage pool, the busybox image
 * unpacked in it, a private lxcpath, names unique to the run, and network namespaces made for the run.
 * `cleanup()` kills every container it handed out a name for, unmounts whatever is mounted below the
 * temporary directory, removes leftover cgroups and namespaces and deletes the directory, whatever state
 * a failed test left them in.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectCgroupLayout } from '../cgroup/cgroup-layout';
import { listInstanceCgroups, removeStrayCgroups } from '../cgroup/stray-cgroups';
import { buildBusyboxImage } from '../images/busybox-image-builder';
import { ImageStore } from '../images/image-store';
import { UnpackedImage } from '../images/unpacked-image';
import { lxcStopCommand } from '../lxc/lxc-commands';
import { LxcDriver, LxcDriverOptions } from '../lxc/lxc-driver';
import { CommandRunner } from '../process/command-runner';
import { NodeKernelFiles } from '../process/kernel-files';
import { netnsCommandPrefix } from '../process/netns-command-prefix';
import { NodeCommandRunner } from '../process/node-command-runner';
import { CommandPrefix, PrefixedCommandRunner } from '../process/prefixed-command-runner';
import { DirStoragePool } from '../storage/dir-storage-pool';
import { parseMountTable } from '../util/mount-table';

interface TrackedName {
  name: string;
  lxcPath: string;
  prefix?: CommandPrefix;
}

export class LxcTestEnvironment {
  readonly runner: CommandRunner = new NodeCommandRunner();
  private readonly names: TrackedName[] = [];
  private readonly namespaces: string[] = [];
  private counter = 0;

  private constructor(
    readonly base: string,
    readonly pool: DirStoragePool,
    readonly image: UnpackedImage,
    readonly imageFingerprint: string,
    /** Random hex digits that make this run's names unique. */
    readonly runId: string,
  ) {}

  static async create(): Promise<LxcTestEnvironment> {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-lxc-'));
    // Unprivileged containers reach their root filesystem through these directories.
    fs.chmodSync(base, 0o711);
    const runner = new NodeCommandRunner();
    const built = await buildBusyboxImage({ outputPath: path.join(base, 'busybox.tar.gz'), runner, creationDate: new Date('2026-01-01T00:00:00Z') });
    const pool = new DirStoragePool(path.join(base, 'pool'), { runner });
    const image = await new ImageStore(pool.imagesDirectory, { runner }).importTarball(built.path);
    return new LxcTestEnvironment(base, pool, image, built.fingerprint, randomBytes(3).toString('hex'));
  }

  /** A driver with its own lxcpath below the temporary directory. */
  driver(label: string, options: Partial<LxcDriverOptions> = {}): LxcDriver {
    return new LxcDriver({ lxcPath: path.join(this.base, `lxc-${label}`), pool: this.pool, runner: this.runner, ...options });
  }

  /** An instance name unique to this run, remembered for cleanup. */
  instanceName(driver: LxcDriver, role: string, prefix?: CommandPrefix): string {
    const name = `t${this.runId}${(this.counter++).toString(36)}-${role}`;
    this.names.push({ name, lxcPath: driver.lxcPath, prefix });
    return name;
  }

  /** A new network namespace with a bridge `br0` holding `address/24`; returns the prefix for lxc-*. */
  async networkNamespace(bridgeAddress: string): Promise<{ namespace: string; prefix: CommandPrefix }> {
    const namespace = `cubedrt-${this.runId}-${this.namespaces.length}`;
    const commands = [
      ['netns', 'add', namespace],
      ['-n', namespace, 'link', 'set', 'lo', 'up'],
      ['-n', namespace, 'link', 'add', 'br0', 'type', 'bridge'],
      ['-n', namespace, 'address', 'add', `${bridgeAddress}/24`, 'dev', 'br0'],
      ['-n', namespace, 'link', 'set', 'br0', 'up'],
    ];
    this.namespaces.push(namespace);
    for (const args of commands) {
      const result = await this.runner.run('ip', args, { timeoutMs: 10_000 });
      if (result.exitCode !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
    }
    const scratch = path.join(this.base, `scratch-${namespace}`);
    fs.mkdirSync(scratch);
    return { namespace, prefix: netnsCommandPrefix(namespace, scratch) };
  }

  /** Cgroup directories left for the instance names of this run. */
  async leftoverCgroups(): Promise<string[]> {
    const files = new NodeKernelFiles();
    const layout = await detectCgroupLayout(fs.readFileSync('/proc/self/mounts', 'utf8'), files);
    const found: string[] = [];
    for (const { name } of this.names) found.push(...(await listInstanceCgroups(files, layout, name)));
    return found;
  }

  async cleanup(): Promise<void> {
    for (const tracked of this.names) {
      const runner = tracked.prefix ? new PrefixedCommandRunner(this.runner, tracked.prefix) : this.runner;
      if (fs.existsSync(path.join(tracked.lxcPath, tracked.name))) {
        const stop = lxcStopCommand(tracked.lxcPath, tracked.name, { kill: true });
        await runner.run('lxc-unfreeze', ['-P', tracked.lxcPath, '-n', tracked.name], { timeoutMs: 10_000 }).catch(() => undefined);
        await runner.run(stop.command, stop.args, { timeoutMs: 20_000 }).catch(() => undefined);
      }
    }
    const mounts = parseMountTable(fs.readFileSync('/proc/self/mounts', 'utf8'))
      .map((entry) => entry.mountPoint)
      .filter((mountPoint) => mountPoint.startsWith(`${this.base}/`))
      .sort((a, b) => b.length - a.length);
    for (const mountPoint of mounts) await this.runner.run('umount', ['-l', mountPoint], { timeoutMs: 10_000 });
    const files = new NodeKernelFiles();
    const layout = await detectCgroupLayout(fs.readFileSync('/proc/self/mounts', 'utf8'), files);
    for (const { name } of this.names) await removeStrayCgroups(files, layout, name);
    for (const namespace of this.namespaces) await this.runner.run('ip', ['netns', 'delete', namespace], { timeoutMs: 10_000 });
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}
