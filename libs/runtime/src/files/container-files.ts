/**
 * File operations inside a container's root filesystem, given the host directory that is its root.
 * Every path is resolved with `resolveContainerPath` first; the final open uses O_NOFOLLOW so that the
 * last component is never followed by the kernel either. Owners are the ids as stored on disk, which are
 * the container's own ids for both privileged containers and idmapped unprivileged ones.
 */
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { ContainerFile, DeleteFileOptions, DirectoryEntry, WriteFileRequest } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { assertContainerPath, resolveContainerPath, ResolvedPath } from './container-path';
import { hostPath, HostPathLookup } from './host-path-lookup';

const DEFAULT_FILE_MODE = 0o644;
const DEFAULT_DIRECTORY_MODE = 0o755;

function failure(action: string, path: string, error: unknown): RuntimeError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new RuntimeError('NotFound', `Cannot ${action} "${path}": it does not exist`);
  if (error instanceof RuntimeError) return error;
  return new RuntimeError('Failed', `Cannot ${action} "${path}"`, (error as Error).message);
}

function assertOwnership(request: { uid?: number; gid?: number; mode?: number }): void {
  for (const [name, value] of [['uid', request.uid], ['gid', request.gid]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 0xfffffffe)) {
      throw new RuntimeError('InvalidArgument', `Invalid ${name} ${value}`);
    }
  }
  if (request.mode !== undefined && (!Number.isInteger(request.mode) || request.mode < 0 || request.mode > 0o7777)) {
    throw new RuntimeError('InvalidArgument', `Invalid mode ${request.mode}: expected permission bits up to 07777`);
  }
}

export class ContainerFiles {
  private readonly lookup: HostPathLookup;

  /** @param root the host directory that is the container's `/` */
  constructor(private readonly root: string) {
    this.lookup = new HostPathLookup(root);
  }

  resolve(path: string, followFinalSymlink: boolean): Promise<ResolvedPath> {
    return resolveContainerPath(this.lookup, path, { followFinalSymlink });
  }

  /** The host path of a resolved container path. */
  hostPath(resolved: ResolvedPath): string {
    return hostPath(this.root, resolved.path);
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await this.resolve(path, true)).node !== null;
    } catch (error) {
      if (error instanceof RuntimeError && error.code === 'NotFound') return false;
      throw error;
    }
  }

  async read(path: string): Promise<ContainerFile> {
    const resolved = await this.resolve(path, false);
    if (resolved.node === null) throw new RuntimeError('NotFound', `Path "${path}" does not exist in the container`);
    const host = this.hostPath(resolved);
    try {
      const stat = await fs.lstat(host);
      const ownership = { uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o7777 };
      if (stat.isSymbolicLink()) return { type: 'symlink', target: await fs.readlink(host), ...ownership };
      if (stat.isDirectory()) return { type: 'directory', entries: (await fs.readdir(host)).sort(), ...ownership };
      if (!stat.isFile()) throw new RuntimeError('InvalidArgument', `Path "${path}" is not a regular file, directory or symbolic link`);
      const handle = await fs.open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return { type: 'file', content: await handle.readFile(), ...ownership };
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw failure('read', path, error);
    }
  }

  async list(path: string): Promise<DirectoryEntry[]> {
    const resolved = await this.resolve(path, true);
    if (resolved.node === null) throw new RuntimeError('NotFound', `Path "${path}" does not exist in the container`);
    if (resolved.node.type !== 'directory') throw new RuntimeError('InvalidArgument', `Path "${path}" is not a directory`);
    const host = this.hostPath(resolved);
    try {
      const entries: DirectoryEntry[] = [];
      for (const name of (await fs.readdir(host)).sort()) {
        const stat = await fs.lstat(`${host}/${name}`);
        const type = stat.isSymbolicLink() ? 'symlink' : stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other';
        entries.push({ name, type, uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o7777, size: stat.size });
      }
      return entries;
    } catch (error) {
      throw failure('list', path, error);
    }
  }

  async write(request: WriteFileRequest): Promise<void> {
    assertContainerPath(request.path);
    assertOwnership(request);
    const type = request.type ?? 'file';
    if (request.createParents) await this.createParents(request.path);
    if (type === 'file') return this.writeRegularFile(request);
    if (type === 'directory') return this.writeDirectory(request);
    if (type === 'symlink') return this.writeSymlink(request);
    throw new RuntimeError('InvalidArgument', `Unknown file type "${String(type)}"`);
  }

  async delete(path: string, options: DeleteFileOptions = {}): Promise<void> {
    const resolved = await this.resolve(path, false);
    if (resolved.path === '/') throw new RuntimeError('InvalidArgument', 'The container root cannot be deleted');
    if (resolved.node === null) throw new RuntimeError('NotFound', `Path "${path}" does not exist in the container`);
    const host = this.hostPath(resolved);
    try {
      if (resolved.node.type !== 'directory') await fs.unlink(host);
      else if (options.recursive) await fs.rm(host, { recursive: true, force: false });
      else await fs.rmdir(host);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY') {
        throw new RuntimeError('InvalidState', `Directory "${path}" is not empty`);
      }
      throw failure('delete', path, error);
    }
  }

  private async createParents(path: string): Promise<void> {
    const parts = path.split('/').filter((part) => part !== '' && part !== '.');
    for (let i = 1; i < parts.length; i++) {
      const parent = `/${parts.slice(0, i).join('/')}`;
      const resolved = await this.resolve(parent, true);
      if (resolved.node === null) {
        await this.writeDirectory({ path: resolved.path, type: 'directory' });
      } else if (resolved.node.type !== 'directory') {
        throw new RuntimeError('InvalidArgument', `Cannot create "${path}": "${parent}" is not a directory`);
      }
    }
  }

  private async writeRegularFile(request: WriteFileRequest): Promise<void> {
    const resolved = await this.resolve(request.path, true);
    if (resolved.node !== null && resolved.node.type !== 'file') {
      throw new RuntimeError('InvalidArgument', `Cannot write "${request.path}": it is not a regular file`);
    }
    const host = this.hostPath(resolved);
    const created = resolved.node === null;
    const flags =
      constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (request.write === 'append' ? constants.O_APPEND : constants.O_TRUNC);
    try {
      const handle = await fs.open(host, flags, request.mode ?? DEFAULT_FILE_MODE);
      try {
        const stat = await handle.stat();
        if (created || request.uid !== undefined || request.gid !== undefined) {
          await handle.chown(request.uid ?? (created ? 0 : stat.uid), request.gid ?? (created ? 0 : stat.gid));
        }
        // chmod after chown: changing the owner clears setuid/setgid bits.
        if (created || request.mode !== undefined) await handle.chmod(request.mode ?? DEFAULT_FILE_MODE);
        const content = request.content ?? Buffer.alloc(0);
        await handle.writeFile(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw failure('write', request.path, error);
    }
  }

  private async writeDirectory(request: WriteFileRequest): Promise<void> {
    const resolved = await this.resolve(request.path, true);
    if (resolved.node !== null && resolved.node.type !== 'directory') {
      throw new RuntimeError('InvalidArgument', `Cannot create directory "${request.path}": something else is there`);
    }
    const host = this.hostPath(resolved);
    const created = resolved.node === null;
    try {
      if (created) await fs.mkdir(host, { mode: request.mode ?? DEFAULT_DIRECTORY_MODE });
      const stat = await fs.lstat(host);
      if (!stat.isDirectory()) throw new RuntimeError('Failed', `"${request.path}" changed while it was created`);
      if (created || request.uid !== undefined || request.gid !== undefined) {
        await fs.lchown(host, request.uid ?? (created ? 0 : stat.uid), request.gid ?? (created ? 0 : stat.gid));
      }
      if (created || request.mode !== undefined) await fs.chmod(host, request.mode ?? DEFAULT_DIRECTORY_MODE);
    } catch (error) {
      throw failure('create directory', request.path, error);
    }
  }

  private async writeSymlink(request: WriteFileRequest): Promise<void> {
    if (typeof request.target !== 'string' || request.target === '' || request.target.includes('\0')) {
      throw new RuntimeError('InvalidArgument', `A symbolic link needs a target (writing "${request.path}")`);
    }
    const resolved = await this.resolve(request.path, false);
    if (resolved.path === '/') throw new RuntimeError('InvalidArgument', 'The container root cannot be replaced');
    if (resolved.node?.type === 'directory') {
      throw new RuntimeError('InvalidArgument', `Cannot create symbolic link "${request.path}": a directory is there`);
    }
    const host = this.hostPath(resolved);
    try {
      if (resolved.node !== null) await fs.unlink(host);
      await fs.symlink(request.target, host);
      await fs.lchown(host, request.uid ?? 0, request.gid ?? 0);
    } catch (error) {
      throw failure('create symbolic link', request.path, error);
    }
  }
}
