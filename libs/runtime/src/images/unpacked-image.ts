/**
 * An image unpacked on disk: `<directory>/metadata.yaml`, `rootfs/` and `templates/`.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { RuntimeError } from '../errors/runtime-error';
import { ImageMetadata, parseImageMetadata } from './image-metadata';

export interface UnpackedImage {
  /** SHA-256 of the tarball it came from (the directory's name in an image store). */
  fingerprint: string;
  directory: string;
  rootfsPath: string;
  templatesPath: string;
  metadata: ImageMetadata;
}

export async function readUnpackedImage(directory: string): Promise<UnpackedImage> {
  const absolute = path.resolve(directory);
  let text: string;
  try {
    text = await fs.readFile(path.join(absolute, 'metadata.yaml'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RuntimeError('NotFound', `No unpacked image at ${absolute} (metadata.yaml is missing)`);
    }
    throw new RuntimeError('Failed', `Cannot read ${absolute}/metadata.yaml`, (error as Error).message);
  }
  const rootfsPath = path.join(absolute, 'rootfs');
  const stat = await fs.lstat(rootfsPath).catch(() => null);
  if (!stat || !stat.isDirectory()) throw new RuntimeError('InvalidArgument', `The image at ${absolute} has no rootfs directory`);
  return {
    fingerprint: path.basename(absolute),
    directory: absolute,
    rootfsPath,
    templatesPath: path.join(absolute, 'templates'),
    metadata: parseImageMetadata(text),
  };
}
