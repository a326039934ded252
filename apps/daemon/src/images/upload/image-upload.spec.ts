import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discardUpload, InvalidUploadError, receiveImageUpload } from './image-upload';
import { MultipartError } from './multipart-reader';

async function* chunks(...pieces: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const piece of pieces) yield Buffer.from(piece);
}

function multipart(parts: { name: string; filename: string; content: string }[], boundary = 'b0undary'): { body: Buffer; contentType: string } {
  const text = parts.map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n\r\n${p.content}\r\n`).join('') + `--${boundary}--\r\n`;
  return { body: Buffer.from(text), contentType: `multipart/form-data; boundary=${boundary}` };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const noHeaders = { filename: 'upload.tar.gz', public: false, properties: {} };

describe('receiveImageUpload', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-upload-spec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a raw body to a file, fingerprinted as it arrives, with the X-LXD-filename name', async () => {
    const seen: number[] = [];
    const upload = await receiveImageUpload(chunks('tar', 'ball', ' bytes'), 'application/octet-stream', noHeaders, dir, (n) => seen.push(n));
    expect(upload).toMatchObject({ kind: 'unified', fingerprint: sha('tarball bytes'), size: 13, filename: 'upload.tar.gz' });
    expect(fs.readFileSync(upload.kind === 'unified' ? upload.tarball : '', 'utf8')).toBe('tarball bytes');
    expect(seen).toEqual([3, 7, 13]);
    await discardUpload(upload);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('treats a body without a Content-Type as the tarball', async () => {
    expect(await receiveImageUpload(chunks('x'), undefined, noHeaders, dir)).toMatchObject({ kind: 'unified', fingerprint: sha('x') });
  });

  it('reads a split image from multipart: metadata then rootfs, one fingerprint over both', async () => {
    const { body, contentType } = multipart([
      { name: 'metadata', filename: 'meta.tar.xz', content: 'META' },
      { name: 'rootfs', filename: 'rootfs.squashfs', content: 'ROOTFS' },
    ]);
    const upload = await receiveImageUpload(chunks(body.subarray(0, 50), body.subarray(50)), contentType, noHeaders, dir);
    expect(upload).toMatchObject({ kind: 'split', rootfsPart: 'rootfs', fingerprint: sha('METAROOTFS'), size: 10, filename: 'rootfs.squashfs' });
    if (upload.kind !== 'split') throw new Error('not split');
    expect(fs.readFileSync(upload.metadata, 'utf8')).toBe('META');
    expect(fs.readFileSync(upload.rootfs, 'utf8')).toBe('ROOTFS');
  });

  it('knows a virtual-machine rootfs part', async () => {
    const { body, contentType } = multipart([
      { name: 'metadata', filename: 'm', content: 'M' },
      { name: 'rootfs.img', filename: 'disk.qcow2', content: 'D' },
    ]);
    expect(await receiveImageUpload(chunks(body), contentType, noHeaders, dir)).toMatchObject({ kind: 'split', rootfsPart: 'rootfs.img' });
  });

  it.each([
    [[{ name: 'rootfs', filename: 'r', content: 'R' }]],
    [[{ name: 'metadata', filename: 'm', content: 'M' }]],
    [[{ name: 'metadata', filename: 'm', content: 'M' }, { name: 'other', filename: 'o', content: 'O' }]],
  ])('refuses parts LXD does not accept as "Invalid multipart image", keeping nothing', async (parts) => {
    const { body, contentType } = multipart(parts);
    await expect(receiveImageUpload(chunks(body), contentType, noHeaders, dir)).rejects.toThrow(new InvalidUploadError('Invalid multipart image'));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a multipart body that is cut short, keeping nothing', async () => {
    const { body, contentType } = multipart([{ name: 'metadata', filename: 'm', content: 'MMMMMMMM' }]);
    await expect(receiveImageUpload(chunks(body.subarray(0, body.length - 30)), contentType, noHeaders, dir)).rejects.toThrow(MultipartError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
