/**
 * Access to kernel pseudo-files (`/proc`, `/sys/fs/cgroup`). Behind an interface so that cgroup and
 * process logic can be tested against a directory tree that imitates them.
 */
import * as fs from 'node:fs/promises';

export interface KernelFiles {
  /** The file's content, or null when it does not exist. */
  read(path: string): Promise<string | null>;
  write(path: string, value: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Names of the sub-directories of `path` (empty when it does not exist). */
  listDirectories(path: string): Promise<string[]>;
  /** Removes an empty directory (cgroup directories count as empty when they hold no sub-groups or tasks). */
  removeDirectory(path: string): Promise<void>;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ESRCH';
}

export class NodeKernelFiles implements KernelFiles {
  async read(path: string): Promise<string | null> {
    try {
      return await fs.readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async write(path: string, value: string): Promise<void> {
    await fs.writeFile(path, value);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fs.access(path);
      return true;
    } catch {
      return false;
    }
  }

  async listDirectories(path: string): Promise<string[]> {
    try {
      const entries = await fs.readdir(path, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async removeDirectory(path: string): Promise<void> {
    await fs.rmdir(path);
  }
}
