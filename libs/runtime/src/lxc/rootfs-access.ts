/**
 * Where to find an instance's root filesystem from the host, for file operations and templates.
 *
 * - copy volumes: the volume's `rootfs/` directory, running or not (an idmapped mount shows the same
 *   files to the container).
 * - overlay volumes of a running container: `/proc/<init pid>/root`, the container's own view; the
 *   layers must not be changed behind the back of a mounted overlay.
 * - overlay volumes of a stopped container: the layers are mounted for the duration of the operation at
 *   `<instance dir>/rootfs` and unmounted afterwards. The caller keeps the instance locked meanwhile, so
 *   that it is not started while the layers are mounted here.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { assertSucceeded, CommandRunner, describeCommand } from '../process/command-runner';
import { KernelFiles } from '../process/kernel-files';
import { InstanceVolume } from '../storage/storage-pool';
import { parseMountTable } from '../util/mount-table';

export class RootfsAccess {
  constructor(
    private readonly runner: CommandRunner,
    private readonly files: KernelFiles,
    private readonly mountsFile: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Unmounts the layers if a previous process was stopped while they were mounted here. Starting the
   * container on layers that are also mounted on the host, or deleting the instance directory through
   * the mount, would damage the root filesystem.
   */
  async unmountLeftover(instanceDirectory: string): Promise<void> {
    const mountPoint = path.join(instanceDirectory, 'rootfs');
    const mounts = (await this.files.read(this.mountsFile)) ?? '';
    const mounted = parseMountTable(mounts).some((entry) => entry.mountPoint === mountPoint);
    if (!mounted) return;
    const result = await this.runner.run('umount', ['-l', mountPoint], { timeoutMs: this.timeoutMs });
    assertSucceeded(result, 'Cannot unmount a leftover mount of the instance root filesystem', describeCommand('umount', ['-l', mountPoint]));
  }

  async withRoot<T>(volume: InstanceVolume, runningPid: number | null, instanceDirectory: string, task: (root: string) => Promise<T>): Promise<T> {
    if (volume.layout === 'copy') return task(volume.rootfsPath);
    if (runningPid !== null) return task(`/proc/${runningPid}/root`);
    const mountPoint = path.join(instanceDirectory, 'rootfs');
    await fs.mkdir(mountPoint, { recursive: true, mode: 0o700 });
    const options = `lowerdir=${volume.lowerPath},upperdir=${volume.upperPath},workdir=${volume.workPath}`;
    const mountArgs = ['-t', 'overlay', 'overlay', '-o', options, mountPoint];
    const mounted = await this.runner.run('mount', mountArgs, { timeoutMs: this.timeoutMs });
    assertSucceeded(mounted, 'Cannot mount the instance root filesystem', describeCommand('mount', mountArgs));
    try {
      return await task(mountPoint);
    } finally {
      const unmounted = await this.runner.run('umount', [mountPoint], { timeoutMs: this.timeoutMs });
      assertSucceeded(unmounted, 'Cannot unmount the instance root filesystem', describeCommand('umount', [mountPoint]));
    }
  }
}
