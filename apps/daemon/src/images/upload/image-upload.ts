/**
 * Receiving an image upload (the body of POST /1.0/images that is not a JSON request) into
 * temporary files, computing the fingerprint while writing:
 *
 * - a unified image: the raw body is the tarball (application/octet-stream, as `lxc image import`
 *   sends it); fingerprint = SHA-256 of the body; file name from X-LXD-filename;
 * - a split image: multipart/form-data with a `metadata` part followed by a `rootfs` (container)
 *   or `rootfs.img` (virtual machine) part, as LXD accepts it; fingerprint = SHA-256 of the two
 *   parts' contents one after the other; file name from the second part.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type MultipartPart, multipartBoundary, multipartParts } from './multipart-reader';
import { receiveToFile } from './receive-to-file';
import { type UploadHeaders } from './upload-headers';

export interface UnifiedUpload {
  kind: 'unified';
  tarball: string;
  fingerprint: string;
  size: number;
  filename: string;
}

export interface SplitUpload {
  kind: 'split';
  metadata: string;
  rootfs: string;
  rootfsPart: 'rootfs' | 'rootfs.img';
  fingerprint: string;
  size: number;
  filename: string;
}

export type ReceivedUpload = UnifiedUpload | SplitUpload;

/** The upload is not what LXD accepts; the message is LXD's. */
export class InvalidUploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidUploadError';
  }
}

export function isMultipart(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*multipart\/form-data\s*(;|$)/i.test(contentType);
}

async function nextPart(parts: AsyncGenerator<MultipartPart>): Promise<MultipartPart> {
  const next = await parts.next();
  if (next.done) throw new InvalidUploadError('Invalid multipart image');
  return next.value;
}

/** Files received so far are removed when receiving fails. */
export async function receiveImageUpload(
  body: AsyncIterable<Buffer | string>,
  contentType: string | undefined,
  headers: UploadHeaders,
  directory: string,
  onBytes?: (received: number) => void,
): Promise<ReceivedUpload> {
  await fs.promises.mkdir(directory, { recursive: true, mode: 0o700 });
  const work = await fs.promises.mkdtemp(path.join(directory, 'upload-'));
  try {
    if (!isMultipart(contentType)) {
      const file = await receiveToFile(body, path.join(work, 'image'), { onBytes });
      return { kind: 'unified', tarball: file.path, fingerprint: file.sha256!, size: file.size, filename: headers.filename };
    }
    const parts = multipartParts(body, multipartBoundary(contentType!));
    const hash = createHash('sha256');
    const meta = await nextPart(parts);
    if (meta.name !== 'metadata') throw new InvalidUploadError('Invalid multipart image');
    const metadata = await receiveToFile(meta.body, path.join(work, 'metadata'), { hash, onBytes });
    const root = await nextPart(parts);
    if (root.name !== 'rootfs' && root.name !== 'rootfs.img') throw new InvalidUploadError('Invalid multipart image');
    const rootfs = await receiveToFile(root.body, path.join(work, 'rootfs'), { hash, onBytes: onBytes && ((n) => onBytes(metadata.size + n)) });
    // Anything after the two parts is read and ignored, as LXD does.
    for (;;) if ((await parts.next()).done) break;
    return {
      kind: 'split',
      metadata: metadata.path,
      rootfs: rootfs.path,
      rootfsPart: root.name,
      fingerprint: hash.digest('hex'),
      size: metadata.size + rootfs.size,
      filename: root.filename,
    };
  } catch (err) {
    await fs.promises.rm(work, { recursive: true, force: true });
    throw err;
  }
}

/** Removes the temporary files of an upload. */
export async function discardUpload(upload: ReceivedUpload): Promise<void> {
  await fs.promises.rm(path.dirname(upload.kind === 'unified' ? upload.tarball : upload.metadata), { recursive: true, force: true });
}
