/**
 * The bytes of a request body that arrived raw (see raw-body-parser.ts): a stream, read to its end;
 * no body at all is empty. The runtime writes a file from one buffer, so the body is gathered once,
 * up to the largest buffer Node can hold (a 413 beyond).
 */
import { constants } from 'node:buffer';
import { LxdError } from '../../http/lxd-error';

export async function requestBodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function') {
    throw new LxdError(400, 'The request body must be the raw file content');
  }
  const stream = body as AsyncIterable<Buffer | string> & { destroy?: () => void };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += bytes.length;
    if (size > constants.MAX_LENGTH) {
      stream.destroy?.();
      throw new LxdError(413, `The file is larger than ${constants.MAX_LENGTH} bytes`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}
