/**
 * Resolution of paths inside a container's root filesystem without ever leaving it.
 *
 * The walk goes one component at a time and looks at each with lstat (through a `PathLookup`, so the
 * same rules apply to real directories and to in-memory trees). Symlinks are resolved relative to the
 * container root, as the container itself sees them: an absolute target starts again at the container
 * root, never at the host's. A `..` that would climb above the container root, in the requested path
 * or in a symlink target, is refused with an error rather than clamped, as is a chain of more than 40
 * symlinks. The kernel never follows a symlink on the caller's behalf.
 */
import { RuntimeError } from '../errors/runtime-error';

export type PathNodeType = 'file' | 'directory' | 'symlink' | 'other';

export interface PathNode {
  type: PathNodeType;
  /** Target of a symlink. */
  target?: string;
}

export interface PathLookup {
  /** The node at a canonical container path (`/`, `/etc/hostname`), or null when there is none. */
  lookup(containerPath: string): Promise<PathNode | null>;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component too (for writes and listings; reads report symlinks). */
  followFinalSymlink: boolean;
}

export interface ResolvedPath {
  /** Canonical absolute path inside the container, symlinks resolved. */
  path: string;
  /** What is there; null when the last component does not exist (its parent does). */
  node: PathNode | null;
}

const MAX_SYMLINKS = 40;

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

function toPath(stack: readonly string[]): string {
  return `/${stack.join('/')}`;
}

/** Checks a requested path's form: absolute, no NUL bytes. */
export function assertContainerPath(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new RuntimeError('InvalidArgument', `Path "${path}" must be absolute`);
  }
  if (path.includes('\0')) throw new RuntimeError('InvalidArgument', 'Path must not contain NUL bytes');
}

export async function resolveContainerPath(lookup: PathLookup, requested: string, options: ResolveOptions): Promise<ResolvedPath> {
  assertContainerPath(requested);
  const stack: string[] = [];
  const pending = components(requested);
  let symlinks = 0;
  let via: string | null = null;
  let node: PathNode | null = { type: 'directory' };
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      if (stack.length === 0) {
        throw new RuntimeError(
          'InvalidArgument',
          via === null
            ? `Path "${requested}" escapes the container root`
            : `Path "${requested}" escapes the container root through the symbolic link "${via}"`,
        );
      }
      stack.pop();
      node = { type: 'directory' };
      continue;
    }
    const candidate = toPath([...stack, part]);
    const isLast = pending.length === 0;
    node = await lookup.lookup(candidate);
    if (node === null) {
      if (isLast) return { path: candidate, node: null };
      throw new RuntimeError('NotFound', `Path "${requested}" does not exist in the container ("${candidate}" is missing)`);
    }
    if (node.type === 'symlink' && (!isLast || options.followFinalSymlink)) {
      symlinks++;
      if (symlinks > MAX_SYMLINKS) {
        throw new RuntimeError('InvalidArgument', `Path "${requested}" has too many levels of symbolic links`);
      }
      const target = node.target ?? '';
      via = candidate;
      if (target.startsWith('/')) stack.length = 0;
      pending.unshift(...components(target));
      node = { type: 'directory' };
      continue;
    }
    if (!isLast && node.type !== 'directory') {
      throw new RuntimeError('InvalidArgument', `Path "${requested}" is not valid: "${candidate}" is not a directory`);
    }
    stack.push(part);
  }
  return { path: toPath(stack), node };
}
