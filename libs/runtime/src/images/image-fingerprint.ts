/**
 * An image's fingerprint: the SHA-256 of its tarball, as LXD computes it for unified images.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function fingerprintFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
