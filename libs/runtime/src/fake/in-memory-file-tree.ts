/**
 * A container root filesystem held in memory, with the semantics of `ContainerFiles`: the same path
 * resolution (confined to the root, symlinks resolved inside it), the same defaults for owners and
 * modes, and the same errors.
 */
import { ContainerFile, DeleteFileOptions, DirectoryEntry, WriteFileRequest } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { assertContainerPath, PathLookup, PathNode, resolveContainerPath, ResolvedPath } from '../files/container-path';

interface Ownership {
  uid: number;
  gid: number;
  mode: number;
}

export type MemoryNode =
  | ({ type: 'file'; content: Buffer } & Ownership)
  | ({ type: 'directory' } & Ownership)
  | ({ type: 'symlink'; target: string } & Ownership);

function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function cloneNode(node: MemoryNode): MemoryNode {
  return node.type === 'file' ? { ...node, content: Buffer.from(node.content) } : { ...node };
}

export class InMemoryFileTree implements PathLookup {
  private readonly nodes = new Map<string, MemoryNode>();

  constructor() {
    this.nodes.set('/', { type: 'directory', uid: 0, gid: 0, mode: 0o755 });
  }

  clone(): InMemoryFileTree {
    const copy = new InMemoryFileTree();
    for (const [path, node] of this.nodes) copy.nodes.set(path, cloneNode(node));
    return copy;
  }

  async lookup(containerPath: string): Promise<PathNode | null> {
    const node = this.nodes.get(containerPath);
    if (!node) return null;
    return node.type === 'symlink' ? { type: 'symlink', target: node.target } : { type: node.type };
  }

  resolve(path: string, followFinalSymlink: boolean): Promise<ResolvedPath> {
    return resolveContainerPath(this, path, { followFinalSymlink });
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
    const node = this.nodes.get(resolved.path);
    if (!node || resolved.node === null) throw new RuntimeError('NotFound', `Path "${path}" does not exist in the container`);
    const ownership = { uid: node.uid, gid: node.gid, mode: node.mode };
    if (node.type === 'symlink') return { type: 'symlink', target: node.target, ...ownership };
    if (node.type === 'directory') return { type: 'directory', entries: this.children(resolved.path), ...ownership };
    return { type: 'file', content: Buffer.from(node.content), ...ownership };
  }

  async list(path: string): Promise<DirectoryEntry[]> {
    const resolved = await this.resolve(path, true);
    if (resolved.node === null) throw new RuntimeError('NotFound', `Path "${path}" does not exist in the container`);
    if (resolved.node.type !== 'directory') throw new RuntimeError('InvalidArgument', `Path "${path}" is not a directory`);
    return this.children(resolved.path).map((name) => {
      const childPath = resolved.path === '/' ? `/${name}` : `${resolved.path}/${name}`;
      const node = this.nodes.get(childPath) as MemoryNode;
      const size = node.type === 'file' ? node.content.length : node.type === 'symlink' ? Buffer.byteLength(node.target) : 4096;
      return { name, type: node.type, uid: node.uid, gid: node.gid, mode: node.mode, size };
    });
  }

  async write(request: WriteFileRequest): Promise<void> {
    assertContainerPath(request.path);
    for (const [name, value] of [['uid', request.uid], ['gid', request.gid]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 0xfffffffe)) {
        throw new RuntimeError('InvalidArgument', `Invalid ${name} ${value}`);
      }
    }
    if (request.mode !== undefined && (!Number.isInteger(request.mode) || request.mode < 0 || request.mode > 0o7777)) {
      throw new RuntimeError('InvalidArgument', `Invalid mode ${request.mode}: expected permission bits up to 07777`);
    }
    const type = request.type ?? 'file';
    if (request.createParents) await this.createParents(request.path);
    if (type === 'symlink') return this.writeSymlink(request);
    const resolved = await this.resolve(request.path, true);
    const existing = this.nodes.get(resolved.path);
    if (type === 'file') {
      if (existing && existing.type !== 'file') {
        throw new RuntimeError('InvalidArgument', `Cannot write "${request.path}": it is not a regular file`);
      }
      const content = typeof request.content === 'string' ? Buffer.from(request.content, 'utf8') : Buffer.from(request.content ?? Buffer.alloc(0));
      this.nodes.set(resolved.path, {
        type: 'file',
        content: existing && request.write === 'append' ? Buffer.concat([existing.content, content]) : content,
        uid: request.uid ?? existing?.uid ?? 0,
        gid: request.gid ?? existing?.gid ?? 0,
        mode: request.mode ?? existing?.mode ?? 0o644,
      });
      return;
    }
    if (type === 'directory') {
      if (existing && existing.type !== 'directory') {
        throw new RuntimeError('InvalidArgument', `Cannot create directory "${request.path}": something else is there`);
      }
      this.nodes.set(resolved.path, {
        type: 'directory',
        uid: request.uid ?? existing?.uid ?? 0,
        gid: request.gid ?? existing?.gid ?? 0,
        mode: request.mode ?? existing?.mode ?? 0o755,
      });
      return;
    }
    throw new RuntimeError('InvalidArgument', `Unknown file type "${String(type)}"`);
  }

  async delete(path: string, options: DeleteFileOptions = {}): Promise<void> {
    const resolved = await this.resolve(path, false);
    if (resolved.path === '/') throw new RuntimeError('InvalidArgument', 'The container root cannot be deleted');
    const node = this.nodes.get(resolved.path);
    if (!node) throw new RuntimeError('NotFound', `Path "${path}" does not exist in the container`);
    if (node.type === 'directory') {
      const descendants = [...this.nodes.keys()].filter((key) => key.startsWith(`${resolved.path}/`));
      if (descendants.length > 0 && !options.recursive) throw new RuntimeError('InvalidState', `Directory "${path}" is not empty`);
      for (const key of descendants) this.nodes.delete(key);
    }
    this.nodes.delete(resolved.path);
  }

  private children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const names: string[] = [];
    for (const key of this.nodes.keys()) {
      if (key !== '/' && key.startsWith(prefix) && !key.slice(prefix.length).includes('/')) names.push(nameOf(key));
    }
    return names.sort();
  }

  private async createParents(path: string): Promise<void> {
    const parts = path.split('/').filter((part) => part !== '' && part !== '.');
    for (let i = 1; i < parts.length; i++) {
      const parent = `/${parts.slice(0, i).join('/')}`;
      const resolved = await this.resolve(parent, true);
      if (resolved.node === null) this.nodes.set(resolved.path, { type: 'directory', uid: 0, gid: 0, mode: 0o755 });
      else if (resolved.node.type !== 'directory') {
        throw new RuntimeError('InvalidArgument', `Cannot create "${path}": "${parent}" is not a directory`);
      }
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
    if (!this.nodes.has(parentOf(resolved.path))) throw new RuntimeError('NotFound', `Cannot create symbolic link "${request.path}": it does not exist`);
    this.nodes.set(resolved.path, { type: 'symlink', target: request.target, uid: request.uid ?? 0, gid: request.gid ?? 0, mode: 0o777 });
  }
}
