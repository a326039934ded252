/**
 * Writes a stream to a new file while hashing it (SHA-256) and counting its bytes; the file is
 * flushed to disk before the promise resolves. On failure the partial file is removed.
 */
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface ReceivedFile {
  path: string;
  size: number;
  /** Hex SHA-256 of the file; not set when an outside hash was given (that hash has the bytes). */
  sha256?: string;
}

export interface ReceiveOptions {
  /** Feed the bytes to this hash instead of a hash of their own (several files, one fingerprint). */
  hash?: Hash;
  /** Told of the bytes received so far, as they arrive. */
  onBytes?: (received: number) => void;
}

export async function receiveToFile(source: AsyncIterable<Buffer | string> | NodeJS.ReadableStream, filePath: string, options: ReceiveOptions = {}): Promise<ReceivedFile> {
  const hash = options.hash ?? createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      options.onBytes?.(size);
      done(null, chunk);
    },
  });
  const handle = await fs.promises.open(filePath, 'wx', 0o600);
  try {
    const out = fs.createWriteStream(filePath, { fd: handle.fd, autoClose: false });
    await pipeline(source as AsyncIterable<Buffer>, counter, out);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(filePath, { force: true });
    throw err;
  }
  await handle.close();
  return options.hash ? { path: filePath, size } : { path: filePath, size, sha256: hash.digest('hex') };
}
