/**
 * KernelFiles over an in-memory map, for tests of cgroup logic: files are path → content, directories
 * are implied by the files below them or added explicitly. Writes are recorded in order.
 */
import { KernelFiles } from '../process/kernel-files';

export class MemoryKernelFiles implements KernelFiles {
  readonly contents = new Map<string, string>();
  readonly directories = new Set<string>();
  readonly writes: { path: string; value: string }[] = [];
  /** Paths whose writes fail with this message. */
  readonly failingWrites = new Map<string, string>();
  /** Directories whose removal fails with EBUSY. */
  readonly busyDirectories = new Set<string>();

  constructor(files: Record<string, string> = {}) {
    for (const [path, content] of Object.entries(files)) this.setFile(path, content);
  }

  setFile(path: string, content: string): void {
    this.contents.set(path, content);
    this.addDirectory(path.slice(0, path.lastIndexOf('/')));
  }

  addDirectory(path: string): void {
    for (let dir = path; dir !== '' && dir !== '/'; dir = dir.slice(0, dir.lastIndexOf('/'))) this.directories.add(dir);
  }

  async read(path: string): Promise<string | null> {
    return this.contents.get(path) ?? null;
  }

  async write(path: string, value: string): Promise<void> {
    const failure = this.failingWrites.get(path);
    if (failure) throw new Error(failure);
    this.writes.push({ path, value });
    this.contents.set(path, value);
  }

  async exists(path: string): Promise<boolean> {
    return this.contents.has(path) || this.directories.has(path);
  }

  async listDirectories(path: string): Promise<string[]> {
    const prefix = `${path}/`;
    return [...this.directories]
      .filter((dir) => dir.startsWith(prefix) && !dir.slice(prefix.length).includes('/'))
      .map((dir) => dir.slice(prefix.length))
      .sort();
  }

  async removeDirectory(path: string): Promise<void> {
    if (this.busyDirectories.has(path)) throw Object.assign(new Error(`EBUSY: ${path}`), { code: 'EBUSY' });
    if ((await this.listDirectories(path)).length > 0) throw Object.assign(new Error(`ENOTEMPTY: ${path}`), { code: 'ENOTEMPTY' });
    this.directories.delete(path);
    for (const file of [...this.contents.keys()]) if (file.startsWith(`${path}/`)) this.contents.delete(file);
  }
}
