/**
 * A streaming reader of multipart/form-data bodies (RFC 7578): the parts one after the other, each
 * with its headers and a body that is streamed, never held in memory whole. A part's body must be
 * read (or it is skipped) before the next part is produced.
 */
import * as path from 'node:path';
import { parseMediaType } from './media-type';

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface MultipartPart {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The form field name (Content-Disposition `name`), '' when the part is not form data. */
  name: string;
  /** The base name of the Content-Disposition `filename`, '' when there is none. */
  filename: string;
  body: AsyncIterable<Buffer>;
}

const CRLF = Buffer.from('\r\n');
const MAX_HEADER_BYTES = 64 * 1024;

/** Pulls bytes from a stream on demand, with look-ahead. */
class ByteScanner {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private readonly iterator: AsyncIterator<Buffer | string>;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Reads more; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return true;
  }

  /** At least `n` bytes buffered, unless the stream ends first. */
  async peek(n: number): Promise<Buffer> {
    while (this.buffer.length < n && (await this.fill()));
    return this.buffer.subarray(0, Math.min(n, this.buffer.length));
  }

  skip(n: number): void {
    this.buffer = this.buffer.subarray(n);
  }

  /** The bytes before the next `delimiter`, in pieces; the delimiter is consumed. */
  async *until(delimiter: Buffer, what: string): AsyncGenerator<Buffer> {
    for (;;) {
      const at = this.buffer.indexOf(delimiter);
      if (at >= 0) {
        if (at > 0) yield this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + delimiter.length);
        return;
      }
      const safe = this.buffer.length - (delimiter.length - 1);
      if (safe > 0) {
        const out = this.buffer.subarray(0, safe);
        this.buffer = this.buffer.subarray(safe);
        yield out;
      }
      if (!(await this.fill())) throw new MultipartError(`the multipart body ended inside ${what}`);
    }
  }

  /** The bytes before the next `delimiter` (at most `limit`), the delimiter consumed. */
  async readUntil(delimiter: Buffer, limit: number, what: string): Promise<Buffer> {
    const pieces: Buffer[] = [];
    let size = 0;
    for await (const piece of this.until(delimiter, what)) {
      size += piece.length;
      if (size > limit) throw new MultipartError(`${what} is longer than ${limit} bytes`);
      pieces.push(piece);
    }
    return Buffer.concat(pieces);
  }
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header "${line}"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function disposition(headers: Record<string, string>): { name: string; filename: string } {
  const value = headers['content-disposition'];
  if (!value) return { name: '', filename: '' };
  let parsed;
  try {
    parsed = parseMediaType(value);
  } catch (err) {
    throw new MultipartError(`malformed Content-Disposition: ${(err as Error).message}`);
  }
  if (parsed.type !== 'form-data') return { name: '', filename: '' };
  const filename = parsed.params.filename;
  return { name: parsed.params.name ?? '', filename: filename ? path.posix.basename(filename.replace(/\\/g, '/')) : '' };
}

/** The boundary of a multipart Content-Type, or a MultipartError. */
export function multipartBoundary(contentType: string): string {
  let boundary: string | undefined;
  try {
    const parsed = parseMediaType(contentType);
    if (!parsed.type.startsWith('multipart/')) throw new MultipartError(`${parsed.type} is not a multipart type`);
    boundary = parsed.params.boundary;
  } catch (err) {
    if (err instanceof MultipartError) throw err;
    throw new MultipartError((err as Error).message);
  }
  if (!boundary || boundary.length > 70) throw new MultipartError('the multipart Content-Type has no valid boundary');
  return boundary;
}

/** The parts of a multipart body with the given boundary. */
export async function* multipartParts(source: AsyncIterable<Buffer | string>, boundary: string): AsyncGenerator<MultipartPart> {
  const scanner = new ByteScanner(source);
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  // The preamble (normally empty) ends at the first boundary.
  const first = await scanner.peek(dashBoundary.length);
  if (first.equals(dashBoundary)) scanner.skip(dashBoundary.length);
  else for await (const _ of scanner.until(delimiter, 'the preamble')); // eslint-disable-line @typescript-eslint/no-unused-vars
  for (;;) {
    // After a boundary: "--" ends the body, else the rest of the line (transport padding) ends it.
    const after = await scanner.peek(2);
    if (after.toString('latin1') === '--') return;
    const padding = (await scanner.readUntil(CRLF, 1024, 'a boundary line')).toString('latin1');
    if (padding.trim() !== '') throw new MultipartError('malformed boundary line');
    // Headers up to an empty line (a part may have none).
    let block = '';
    if ((await scanner.peek(2)).equals(CRLF)) scanner.skip(2);
    else block = (await scanner.readUntil(Buffer.from('\r\n\r\n'), MAX_HEADER_BYTES, 'the part headers')).toString('utf8');
    const headers = parseHeaders(block);
    const content = scanner.until(delimiter, 'a part');
    // A consumer that stops reading early does not end the body: the rest is skipped below.
    const body: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]: () => ({
        next: () => content.next(),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    yield { headers, ...disposition(headers), body };
    for await (const _ of content); // eslint-disable-line @typescript-eslint/no-unused-vars
  }
}
