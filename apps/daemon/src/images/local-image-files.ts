/**
 * This member's copies of images (see ImagePaths): the image file as uploaded, and the image
 * unpacked by the runtime's ImageStore (which validates the tarball first and unpacks it once).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { ImageStore, NodeCommandRunner, type UnpackedImage } from '@app/runtime';
import { StateDir } from '../identity/state-dir';
import { isFingerprint } from './image-fingerprint';
import { ImagePaths } from './image-paths';

export interface LocalImageFile {
  path: string;
  size: number;
}

@Injectable()
export class LocalImageFiles {
  readonly paths: ImagePaths;
  private readonly store: ImageStore;

  constructor(stateDir: StateDir) {
    this.paths = new ImagePaths(stateDir.path);
    this.store = new ImageStore(this.paths.unpackedRoot, { runner: new NodeCommandRunner() });
  }

  /** Creates the directories, and removes what interrupted uploads, transfers and unpacks left. */
  async prepare(): Promise<void> {
    await fs.promises.mkdir(this.paths.root, { recursive: true, mode: 0o700 });
    await fs.promises.rm(this.paths.tmpRoot, { recursive: true, force: true });
    await fs.promises.mkdir(this.paths.tmpRoot, { recursive: true, mode: 0o700 });
    await fs.promises.mkdir(this.paths.unpackedRoot, { recursive: true, mode: 0o700 });
    for (const name of await fs.promises.readdir(this.paths.unpackedRoot)) {
      if (name.startsWith('.unpack-') || name.startsWith('.delete-')) await fs.promises.rm(path.join(this.paths.unpackedRoot, name), { recursive: true, force: true });
    }
  }

  /** Where uploads and transfers are written until they are complete. */
  get temporaryDirectory(): string {
    return this.paths.tmpRoot;
  }

  /** A new empty directory for temporary files. */
  async temporary(prefix: string): Promise<string> {
    await fs.promises.mkdir(this.paths.tmpRoot, { recursive: true, mode: 0o700 });
    return fs.promises.mkdtemp(path.join(this.paths.tmpRoot, `${prefix}-`));
  }

  /** The image file, when this member has it. */
  async file(fingerprint: string): Promise<LocalImageFile | undefined> {
    const stat = await fs.promises.stat(this.paths.file(fingerprint)).catch(() => undefined);
    return stat?.isFile() ? { path: this.paths.file(fingerprint), size: stat.size } : undefined;
  }

  /** The unpacked image, unpacking the local file first if needed (it must be here). */
  async unpacked(fingerprint: string): Promise<UnpackedImage> {
    try {
      return await this.store.get(fingerprint);
    } catch {
      return this.unpack(this.paths.file(fingerprint), fingerprint);
    }
  }

  /**
   * Takes a received image file (its SHA-256 already checked to be `fingerprint`): validates and
   * unpacks it, then moves it into place. Invalid images are refused (RuntimeError) and nothing
   * is kept of them.
   */
  async adopt(received: string, fingerprint: string): Promise<UnpackedImage> {
    const unpacked = await this.unpack(received, fingerprint);
    await fs.promises.rename(received, this.paths.file(fingerprint));
    return unpacked;
  }

  /** Removes this member's copy (file and unpacked directory); false when it had none. */
  async remove(fingerprint: string): Promise<boolean> {
    const file = this.paths.file(fingerprint);
    const hadFile = (await this.file(fingerprint)) !== undefined;
    const unpacked = await this.store.get(fingerprint).then(
      () => true,
      () => false,
    );
    if (unpacked) await this.store.delete(fingerprint);
    await fs.promises.rm(file, { force: true });
    return hadFile || unpacked;
  }

  /** The fingerprints of the image files this member has. */
  async fingerprints(): Promise<string[]> {
    const names = await fs.promises.readdir(this.paths.root).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of names.filter(isFingerprint).sort()) if (await this.file(name)) out.push(name);
    return out;
  }

  private async unpack(tarball: string, fingerprint: string): Promise<UnpackedImage> {
    const unpacked = await this.store.importTarball(tarball);
    if (unpacked.fingerprint !== fingerprint) throw new Error(`the image file ${tarball} changed while it was imported (its SHA-256 is now ${unpacked.fingerprint})`);
    return unpacked;
  }
}
