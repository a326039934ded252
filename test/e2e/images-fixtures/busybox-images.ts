/**
 * Busybox images for the image tests, built with libs/runtime's builder from the host's static
 * busybox: the same busybox and creation date always give the same tarball, so two dates give two
 * images with different fingerprints.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BuiltImage, buildBusyboxImage, NodeCommandRunner } from '@app/runtime';

export async function buildTestImage(directory: string, name: string, creationDate: Date): Promise<BuiltImage> {
  return buildBusyboxImage({ outputPath: path.join(directory, name), runner: new NodeCommandRunner(), creationDate });
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
