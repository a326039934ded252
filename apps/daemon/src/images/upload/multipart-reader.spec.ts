import { MultipartError, multipartBoundary, multipartParts } from './multipart-reader';

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(body: AsyncIterable<Buffer>): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of body) pieces.push(piece);
  return Buffer.concat(pieces).toString('latin1');
}

const boundary = 'XyZ-boundary';
const body = Buffer.from(
  `--${boundary}\r\nContent-Disposition: form-data; name="metadata"; filename="/tmp/meta.tar.xz"\r\nContent-Type: application/octet-stream\r\n\r\n` +
    `meta\r\n--not-the-boundary\r\nstill meta\r\n--${boundary}\r\n` +
    `Content-Disposition: form-data; name="rootfs"; filename="rootfs.squashfs"\r\n\r\n` +
    `root\r\nfs\r\n--${boundary}--\r\nepilogue`,
  'latin1',
);

async function readAll(data: Buffer, size: number) {
  const out: { name: string; filename: string; content: string }[] = [];
  for await (const part of multipartParts(chunked(data, size), boundary)) out.push({ name: part.name, filename: part.filename, content: await collect(part.body) });
  return out;
}

describe('multipartParts', () => {
  const expected = [
    { name: 'metadata', filename: 'meta.tar.xz', content: 'meta\r\n--not-the-boundary\r\nstill meta' },
    { name: 'rootfs', filename: 'rootfs.squashfs', content: 'root\r\nfs' },
  ];

  it.each([1, 2, 7, 13, 64, 4096])('streams the parts whatever the chunk size (%i bytes)', async (size) => {
    expect(await readAll(body, size)).toEqual(expected);
  });

  it('skips a preamble and a body the consumer did not read', async () => {
    const withPreamble = Buffer.concat([Buffer.from('preamble text\r\n'), body]);
    const names: string[] = [];
    for await (const part of multipartParts(chunked(withPreamble, 5), boundary)) names.push(part.name);
    expect(names).toEqual(['metadata', 'rootfs']);
  });

  it('goes on after a consumer stopped reading a part early', async () => {
    const out: string[] = [];
    for await (const part of multipartParts(chunked(body, 3), boundary)) {
      for await (const piece of part.body) {
        out.push(`${part.name}:${piece.toString('latin1')[0]}`);
        break;
      }
    }
    expect(out).toEqual(['metadata:m', 'rootfs:r']);
  });

  it('gives parts without a form-data disposition an empty name', async () => {
    const plain = Buffer.from(`--${boundary}\r\n\r\nno headers\r\n--${boundary}\r\nContent-Disposition: attachment; name="x"\r\n\r\ny\r\n--${boundary}--`);
    expect(await readAll(plain, 4)).toEqual([
      { name: '', filename: '', content: 'no headers' },
      { name: '', filename: '', content: 'y' },
    ]);
  });

  it('refuses a body that ends inside a part', async () => {
    await expect(readAll(body.subarray(0, 160), 16)).rejects.toThrow(new MultipartError('the multipart body ended inside a part'));
  });

  it('refuses malformed part headers', async () => {
    const bad = Buffer.from(`--${boundary}\r\nno colon here\r\n\r\nx\r\n--${boundary}--`);
    await expect(readAll(bad, 8)).rejects.toThrow(/malformed part header "no colon here"/);
  });

  it('takes the boundary from the Content-Type', () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(() => multipartBoundary('multipart/form-data')).toThrow(/no valid boundary/);
    expect(() => multipartBoundary('application/json; boundary=x')).toThrow(/not a multipart type/);
  });
});
