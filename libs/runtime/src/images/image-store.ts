/**
 * The image store: each image tarball is validated and unpacked once, into `<directory>/<fingerprint>`.
 * Unpacking goes to a temporary directory next to it that is renamed into place, so a directory named
 * after a fingerprint is always complete; concurrent imports of the same tarball end with one of them.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { RuntimeError } from '../errors/runtime-error';
import { assertSucceeded, CommandRunner, describeCommand } from '../process/command-runner';
import { openTarball } from './image-compression';
import { fingerprintFile } from './image-fingerprint';
import { SKIPPED_PREFIX, validateImageTarball } from './image-tarball-validator';
import { readUnpackedImage, UnpackedImage } from './unpacked-image';

export interface ImageStoreOptions {
  runner: CommandRunner;
  /** Limit for decompressing and unpacking one tarball; default 10 minutes. */
  unpackTimeoutMs?: number;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

function assertFingerprint(fingerprint: string): void {
  if (!FINGERPRINT.test(fingerprint)) throw new RuntimeError('InvalidArgument', `Invalid image fingerprint "${fingerprint}"`);
}

export class ImageStore {
  private readonly runner: CommandRunner;
  private readonly unpackTimeoutMs: number;

  constructor(
    readonly directory: string,
    options: ImageStoreOptions,
  ) {
    this.runner = options.runner;
    this.unpackTimeoutMs = options.unpackTimeoutMs ?? 600_000;
  }

  imageDirectory(fingerprint: string): string {
    assertFingerprint(fingerprint);
    return path.join(this.directory, fingerprint);
  }

  /** Validates, fingerprints and unpacks a tarball; an image already in the store is returned as it is. */
  async importTarball(tarballPath: string): Promise<UnpackedImage> {
    const fingerprint = await fingerprintFile(tarballPath).catch((error: Error) => {
      throw new RuntimeError('NotFound', `Cannot read image tarball ${tarballPath}`, error.message);
    });
    const target = this.imageDirectory(fingerprint);
    if (await this.exists(target)) return readUnpackedImage(target);

    const tarball = await openTarball(tarballPath, this.runner, this.unpackTimeoutMs);
    try {
      await validateImageTarball(tarball.stream);
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError('InvalidArgument', `Cannot read image tarball ${tarballPath}`, (error as Error).message);
    }
    await tarball.finished();

    await fs.mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = await fs.mkdtemp(path.join(this.directory, `.unpack-${fingerprint.slice(0, 12)}-`));
    try {
      await this.unpack(tarballPath, temporary);
      await fs.chmod(temporary, 0o755);
      try {
        await fs.rename(temporary, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        // Another import of the same tarball finished first.
        await fs.rm(temporary, { recursive: true, force: true });
      }
    } catch (error) {
      await fs.rm(temporary, { recursive: true, force: true });
      throw error;
    }
    return readUnpackedImage(target);
  }

  async get(fingerprint: string): Promise<UnpackedImage> {
    const target = this.imageDirectory(fingerprint);
    if (!(await this.exists(target))) throw new RuntimeError('NotFound', `Image ${fingerprint} is not in the store`);
    return readUnpackedImage(target);
  }

  async list(): Promise<UnpackedImage[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.directory);
    } catch {
      return [];
    }
    const images: UnpackedImage[] = [];
    for (const name of names.filter((n) => FINGERPRINT.test(n)).sort()) images.push(await readUnpackedImage(path.join(this.directory, name)));
    return images;
  }

  async delete(fingerprint: string): Promise<void> {
    const target = this.imageDirectory(fingerprint);
    if (!(await this.exists(target))) throw new RuntimeError('NotFound', `Image ${fingerprint} is not in the store`);
    // Moved away first so that a half-deleted image is never taken for a complete one.
    const doomed = await fs.mkdtemp(path.join(this.directory, `.delete-${fingerprint.slice(0, 12)}-`));
    await fs.rename(target, path.join(doomed, fingerprint));
    await fs.rm(doomed, { recursive: true, force: true });
  }

  private async unpack(tarballPath: string, into: string): Promise<void> {
    const args = [
      '--extract',
      `--file=${tarballPath}`,
      `--directory=${into}`,
      '--numeric-owner',
      '--same-owner',
      '--same-permissions',
      '--xattrs',
      '--xattrs-include=*',
      '--anchored',
      `--exclude=${SKIPPED_PREFIX}*`,
      `--exclude=./${SKIPPED_PREFIX}*`,
    ];
    const result = await this.runner.run('tar', args, { timeoutMs: this.unpackTimeoutMs });
    assertSucceeded(result, `Cannot unpack image tarball ${tarballPath}`, describeCommand('tar', args));
    const rootfs = await fs.lstat(path.join(into, 'rootfs')).catch(() => null);
    if (!rootfs || !rootfs.isDirectory()) throw new RuntimeError('InvalidArgument', `Image tarball ${tarballPath} has no rootfs directory`);
    // LXC mounts the container's /dev over this directory.
    await fs.mkdir(path.join(into, 'rootfs', 'dev'), { recursive: true, mode: 0o755 });
  }

  private async exists(target: string): Promise<boolean> {
    return (await fs.lstat(target).catch(() => null))?.isDirectory() ?? false;
  }
}
