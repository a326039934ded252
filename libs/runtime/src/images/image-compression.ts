/**
 * Opening a possibly compressed tarball as a stream of tar bytes. gzip is decompressed in-process;
 * xz, bzip2 and zstd through their command-line tools.
 */
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { assertSucceeded, CommandRunner } from '../process/command-runner';

export type Compression = 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'none';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

const TOOLS: Readonly<Record<'xz' | 'bzip2' | 'zstd', string>> = { xz: 'xz', bzip2: 'bzip2', zstd: 'zstd' };

export interface TarballStream {
  stream: AsyncIterable<Buffer>;
  /** Resolves once the stream was read to its end and decompression succeeded. */
  finished(): Promise<void>;
}

export async function openTarball(path: string, runner: CommandRunner, timeoutMs: number): Promise<TarballStream> {
  const handle = await fs.open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const compression = detectCompression(head);
  if (compression === 'none' || compression === 'gzip') {
    const file = createReadStream(path);
    let stream: Readable = file;
    if (compression === 'gzip') {
      const gunzip = createGunzip();
      file.on('error', (error) => gunzip.destroy(error));
      stream = file.pipe(gunzip);
    }
    // Read errors surface through the stream's iteration.
    return { stream, finished: async () => undefined };
  }
  const tool = TOOLS[compression];
  const child = await runner.spawn(tool, ['-dc', '--', path], { timeoutMs });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.end();
  return {
    stream: child.stdout,
    finished: async () => {
      const exit = await child.exit;
      const text = Buffer.concat(stderr).toString('utf8');
      assertSucceeded({ ...exit, stdout: '', stderr: text, timedOut: exit.signal === 'SIGKILL' }, `Cannot decompress ${path} with ${tool}`);
    },
  };
}
