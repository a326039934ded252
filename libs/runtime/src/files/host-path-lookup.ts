/**
 * PathLookup over a directory on the host that is a container's root (`<rootfs>` or `/proc/<pid>/root`).
 */
import * as fs from 'node:fs/promises';
import { PathLookup, PathNode } from './container-path';

/** The host path of a canonical container path below `root`. */
export function hostPath(root: string, containerPath: string): string {
  return containerPath === '/' ? root : `${root}${containerPath}`;
}

export class HostPathLookup implements PathLookup {
  constructor(private readonly root: string) {}

  async lookup(containerPath: string): Promise<PathNode | null> {
    const path = hostPath(this.root, containerPath);
    let stat;
    try {
      stat = await fs.lstat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw error;
    }
    if (stat.isSymbolicLink()) return { type: 'symlink', target: await fs.readlink(path) };
    if (stat.isDirectory()) return { type: 'directory' };
    if (stat.isFile()) return { type: 'file' };
    return { type: 'other' };
  }
}
