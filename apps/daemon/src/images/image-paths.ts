/**
 * Where a member keeps its images, below `$CUBED_DIR/images/`:
 *
 *   images/<fingerprint>             the image file exactly as it was uploaded (what export serves,
 *                                    what other members copy, what the fingerprint is the hash of)
 *   images/unpacked/<fingerprint>/   the same image unpacked: metadata.yaml, rootfs/, templates/
 *   images/tmp/                      uploads and transfers in progress (emptied at start)
 */
import * as path from 'node:path';
import { isFingerprint } from './image-fingerprint';

export class ImagePaths {
  readonly root: string;
  readonly unpackedRoot: string;
  readonly tmpRoot: string;

  constructor(stateDir: string) {
    this.root = path.join(stateDir, 'images');
    this.unpackedRoot = path.join(this.root, 'unpacked');
    this.tmpRoot = path.join(this.root, 'tmp');
  }

  file(fingerprint: string): string {
    if (!isFingerprint(fingerprint)) throw new Error(`invalid image fingerprint "${fingerprint}"`);
    return path.join(this.root, fingerprint);
  }
}
