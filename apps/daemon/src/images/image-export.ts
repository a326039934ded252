/**
 * How an image file is served by GET /1.0/images/<fp>/export, as LXD serves a unified image:
 * `application/octet-stream`, its length, and `Content-Disposition: inline;filename=<fp><ext>`
 * where the extension follows the file's compression (what `lxc image export` names the file).
 */
import * as fs from 'node:fs';

/** LXD's file extension for an image file starting with `head` (at least 263 bytes when the file has them). */
export function imageFileExtension(head: Buffer): string {
  const starts = (bytes: number[], at = 0) => head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
  if (starts([0x42, 0x5a])) return '.tar.bz2';
  if (starts([0x1f, 0x8b])) return '.tar.gz';
  if (starts([0x37, 0x7a, 0x58, 0x5a], 1)) return head[0] === 0xfd ? '.tar.xz' : '.tar.lzma';
  if (starts([0x5d, 0x00, 0x00])) return '.tar.lzma';
  if (starts([0x75, 0x73, 0x74, 0x61, 0x72], 257)) return '.tar';
  if (starts([0x68, 0x73, 0x71, 0x73])) return '.squashfs';
  if (starts([0x51, 0x46, 0x49])) return '.qcow2';
  if (starts([0x28, 0xb5, 0x2f, 0xfd])) return '.tar.zst';
  return '';
}

export async function fileExtension(filePath: string): Promise<string> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    const head = Buffer.alloc(263);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return imageFileExtension(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function exportHeaders(fingerprint: string, size: number, extension: string): Record<string, string> {
  return {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(size),
    'Content-Disposition': `inline;filename=${fingerprint}${extension}`,
  };
}
