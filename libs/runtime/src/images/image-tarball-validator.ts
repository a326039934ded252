/**
 * Validation of an LXD unified image tarball before anything of it is written to disk.
 *
 * Accepted: `metadata.yaml` (a regular file), `rootfs/` and `templates/` (regular files and directories
 * only: templates are read by the host, so a symlink there could make it read host files). Refused:
 * absolute paths, `..` components, entries below a symlink of the archive (extracting them would write
 * wherever the link points), a symlink replaced by a directory, hard links to anything but an earlier
 * regular file of the same area, and device nodes outside `rootfs/dev/`. Everything below `rootfs/dev/`
 * is skipped at extraction: containers get a fresh /dev from LXC (`lxc.autodev`), device nodes there
 * could never be created in an unprivileged context, and their presence in an image is normal.
 */
import { RuntimeError } from '../errors/runtime-error';
import { ImageMetadata, parseImageMetadata } from './image-metadata';
import { readTarEntries, TarEntry } from './tar/tar-reader';

/** Member names below this prefix are not extracted. */
export const SKIPPED_PREFIX = 'rootfs/dev/';

const MAX_METADATA_BYTES = 1024 * 1024;

export interface ImageTarballSummary {
  metadata: ImageMetadata;
  /** Template file names present in `templates/`. */
  templateFiles: string[];
  /** Number of entries below `rootfs/`. */
  rootfsEntries: number;
  /** Entries below `rootfs/dev/`, which extraction skips. */
  skippedEntries: string[];
  /** Sum of the sizes of the regular files. */
  contentBytes: number;
}

function refuse(path: string, reason: string): RuntimeError {
  return new RuntimeError('InvalidArgument', `Refusing image tarball entry "${path}": ${reason}`);
}

/** Normalizes a member name (`./rootfs/bin/` → `rootfs/bin`); refuses absolute and `..` paths. */
export function normalizeMemberName(name: string): string {
  if (name.startsWith('/')) throw refuse(name, 'absolute paths are not allowed');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse(name, '".." is not allowed in paths');
  return parts.join('/');
}

function area(path: string): 'metadata' | 'rootfs' | 'templates' | null {
  if (path === 'metadata.yaml') return 'metadata';
  if (path === 'rootfs' || path.startsWith('rootfs/')) return 'rootfs';
  if (path === 'templates' || path.startsWith('templates/')) return 'templates';
  return null;
}

class TarballChecker {
  private readonly symlinks = new Set<string>();
  private readonly regularFiles = new Set<string>();
  private readonly skipped: string[] = [];
  private readonly templateFiles: string[] = [];
  private rootfsEntries = 0;
  private contentBytes = 0;
  private metadataText: string | null = null;

  async check(entry: TarEntry): Promise<void> {
    const path = normalizeMemberName(entry.path);
    if (path === '') {
      if (entry.type !== 'directory') throw refuse(entry.path, 'the archive root must be a directory');
      return;
    }
    const where = area(path);
    if (where === null) throw refuse(entry.path, 'an LXD unified image holds only metadata.yaml, rootfs/ and templates/');
    this.assertNotBelowSymlink(entry.path, path);
    if (path.startsWith(SKIPPED_PREFIX)) {
      this.skipped.push(path);
      return;
    }
    if (entry.type === 'directory' && this.symlinks.has(path)) throw refuse(entry.path, 'it replaces a symbolic link with a directory');
    this.symlinks.delete(path);
    this.regularFiles.delete(path);

    if (where === 'metadata') {
      if (entry.type !== 'file') throw refuse(entry.path, 'metadata.yaml must be a regular file');
      this.metadataText = (await entry.readContent(MAX_METADATA_BYTES)).toString('utf8');
      return;
    }
    if (where === 'templates') {
      if (path === 'templates' && entry.type === 'directory') return;
      if (entry.type !== 'file' && entry.type !== 'directory') throw refuse(entry.path, 'templates must be regular files');
      if (entry.type === 'file') {
        this.templateFiles.push(path.slice('templates/'.length));
        this.regularFiles.add(path);
        this.contentBytes += entry.size;
      }
      return;
    }
    if ((path === 'rootfs' || path === 'rootfs/dev') && entry.type !== 'directory') {
      throw refuse(entry.path, `${path} must be a directory`);
    }
    this.rootfsEntries++;
    switch (entry.type) {
      case 'file':
        this.regularFiles.add(path);
        this.contentBytes += entry.size;
        return;
      case 'directory':
      case 'fifo':
        return;
      case 'symlink':
        if (entry.linkTarget === '') throw refuse(entry.path, 'the symbolic link has no target');
        this.symlinks.add(path);
        return;
      case 'hardlink': {
        const target = normalizeMemberName(entry.linkTarget);
        this.assertNotBelowSymlink(entry.path, target);
        if (area(target) !== 'rootfs' || !this.regularFiles.has(target)) {
          throw refuse(entry.path, `a hard link must point to an earlier regular file of rootfs/ (not "${entry.linkTarget}")`);
        }
        this.regularFiles.add(path);
        return;
      }
      case 'char-device':
      case 'block-device':
        throw refuse(entry.path, 'device nodes are only allowed below rootfs/dev/');
    }
  }

  private assertNotBelowSymlink(original: string, path: string): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.symlinks.has(prefix)) throw refuse(original, `it is below the symbolic link "${prefix}" of the archive`);
    }
  }

  summary(): ImageTarballSummary {
    if (this.metadataText === null) throw new RuntimeError('InvalidArgument', 'Invalid image tarball: metadata.yaml is missing');
    if (this.rootfsEntries === 0) {
      throw new RuntimeError('InvalidArgument', 'Invalid image tarball: rootfs/ is missing (split images are not supported)');
    }
    const metadata = parseImageMetadata(this.metadataText);
    for (const [target, template] of Object.entries(metadata.templates)) {
      if (!this.templateFiles.includes(template.template)) {
        throw new RuntimeError('InvalidArgument', `Invalid image tarball: template "${template.template}" for ${target} is not in templates/`);
      }
    }
    return {
      metadata,
      templateFiles: [...this.templateFiles].sort(),
      rootfsEntries: this.rootfsEntries,
      skippedEntries: this.skipped,
      contentBytes: this.contentBytes,
    };
  }
}

/** Reads a whole (decompressed) tarball and validates it; throws on the first problem. */
export async function validateImageTarball(tarStream: AsyncIterable<Buffer | string>): Promise<ImageTarballSummary> {
  const checker = new TarballChecker();
  for await (const entry of readTarEntries(tarStream)) await checker.check(entry);
  return checker.summary();
}
