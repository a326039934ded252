import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';

/** A file sent as one part of a multipart/form-data body. */
export interface FormFile {
  field: string;
  /** The file name the part announces. */
  filename: string;
  /** The local file whose content the part carries. */
  path: string;
}

/** A multipart/form-data body streamed from files, with its Content-Type and length. */
export interface MultipartBody {
  contentType: string;
  length: number;
  body: Readable;
}

/**
 * The files as a multipart/form-data body the way Go's mime/multipart writes CreateFormFile parts: a random
 * 60-character boundary, `Content-Disposition: form-data; name="…"; filename="…"` and `Content-Type:
 * application/octet-stream` headers, parts separated by CRLF and the closing boundary. The files are read as the
 * body is sent.
 */
export function multipartBody(files: readonly FormFile[]): MultipartBody {
  const boundary = randomBytes(30).toString('hex');
  const heads = files.map((file, i) =>
    Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\n` +
        `Content-Disposition: form-data; name="${escapeQuotes(file.field)}"; filename="${escapeQuotes(file.filename)}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const sizes = files.map((file) => fs.statSync(file.path).size);
  const length = heads.reduce((n, head) => n + head.length, 0) + sizes.reduce((n, size) => n + size, 0) + tail.length;
  async function* parts(): AsyncGenerator<Buffer> {
    for (let i = 0; i < files.length; i++) {
      yield heads[i];
      for await (const chunk of fs.createReadStream(files[i].path)) yield chunk as Buffer;
    }
    yield tail;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, body: Readable.from(parts()) };
}

function escapeQuotes(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
