/**
 * The image bench:runtime launches: the busybox LXD unified tarball of deploy/images (libs/runtime's
 * buildBusyboxImage, from the host's static busybox, Debian's busybox-static), with a fixed creation
 * date so that every run imports the same fingerprint.
 */
import * as path from 'node:path';
import { buildBusyboxImage } from '@app/runtime/images/busybox-image-builder';
import { NodeCommandRunner } from '@app/runtime/process/node-command-runner';
import type { BusyboxImageFile } from './runtime-measurements';

export async function buildBenchImage(dir: string): Promise<BusyboxImageFile & { sizeBytes: number; busyboxVersion: string }> {
  const image = await buildBusyboxImage({ outputPath: path.join(dir, 'busybox.tar.gz'), runner: new NodeCommandRunner(), creationDate: new Date('2026-01-01T00:00:00Z') });
  return { path: image.path, fingerprint: image.fingerprint, sizeBytes: image.sizeBytes, busyboxVersion: image.busyboxVersion };
}
