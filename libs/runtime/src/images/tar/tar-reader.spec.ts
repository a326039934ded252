import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { buildTar } from '../../testing/tar-builder';
import { parsePaxRecords, readTarEntries } from './tar-reader';

async function entries(archive: Buffer, chunkSize = 7) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < archive.length; i += chunkSize) chunks.push(archive.subarray(i, i + chunkSize));
  const result: { path: string; type: string; content?: string; linkTarget: string; uid: number; mode: number }[] = [];
  for await (const entry of readTarEntries(Readable.from(chunks))) {
    const item: (typeof result)[number] = { path: entry.path, type: entry.type, linkTarget: entry.linkTarget, uid: entry.uid, mode: entry.mode };
    if (entry.type === 'file' && entry.path.endsWith('.txt')) item.content = (await entry.readContent(1024)).toString();
    result.push(item);
  }
  return result;
}

describe('readTarEntries', () => {
  it('reads ustar entries of every type, in small chunks, reading or skipping data', async () => {
    const archive = buildTar([
      { path: 'dir', type: 'directory' },
      { path: 'dir/a.txt', content: 'alpha', uid: 1000, mode: 0o600 },
      { path: 'dir/skipped.bin', content: Buffer.alloc(5000, 1) },
      { path: 'dir/link', type: 'symlink', linkTarget: '/etc/passwd' },
      { path: 'dir/hard', type: 'hardlink', linkTarget: 'dir/a.txt' },
      { path: 'dir/null', type: 'char-device', devMajor: 1, devMinor: 3 },
      { path: 'dir/fifo', type: 'fifo' },
      { path: 'dir/b.txt', content: 'beta' },
    ]);
    expect(await entries(archive)).toEqual([
      { path: 'dir', type: 'directory', linkTarget: '', uid: 0, mode: 0o755 },
      { path: 'dir/a.txt', type: 'file', content: 'alpha', linkTarget: '', uid: 1000, mode: 0o600 },
      { path: 'dir/skipped.bin', type: 'file', linkTarget: '', uid: 0, mode: 0o644 },
      { path: 'dir/link', type: 'symlink', linkTarget: '/etc/passwd', uid: 0, mode: 0o644 },
      { path: 'dir/hard', type: 'hardlink', linkTarget: 'dir/a.txt', uid: 0, mode: 0o644 },
      { path: 'dir/null', type: 'char-device', linkTarget: '', uid: 0, mode: 0o644 },
      { path: 'dir/fifo', type: 'fifo', linkTarget: '', uid: 0, mode: 0o644 },
      { path: 'dir/b.txt', type: 'file', content: 'beta', linkTarget: '', uid: 0, mode: 0o644 },
    ]);
  });

  it('applies PAX paths', async () => {
    const long = `${'d'.repeat(120)}/file.txt`;
    expect(await entries(buildTar([{ path: long, content: 'pax', paxPath: true }]))).toEqual([
      { path: long, type: 'file', content: 'pax', linkTarget: '', uid: 0, mode: 0o644 },
    ]);
    expect(parsePaxRecords(Buffer.from('12 path=abc\n19 linkpath=/a/b/c\n'))).toEqual(
      new Map([
        ['path', 'abc'],
        ['linkpath', '/a/b/c'],
      ]),
    );
  });

  it('reads what GNU tar writes: long names, ustar prefixes, PAX headers', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-tar-'));
    try {
      const deep = path.join(base, 'src', 'x'.repeat(90), 'y'.repeat(90));
      fs.mkdirSync(deep, { recursive: true });
      fs.writeFileSync(path.join(deep, 'z'.repeat(110) + '.txt'), 'long');
      fs.symlinkSync('t'.repeat(150), path.join(base, 'src', 'longlink'));
      for (const format of ['gnu', 'posix']) {
        const file = path.join(base, `${format}.tar`);
        execFileSync('tar', ['--create', `--format=${format}`, `--file=${file}`, `--directory=${base}`, '--sort=name', 'src']);
        const found = await entries(fs.readFileSync(file), 4096);
        const names = found.map((e) => e.path.replace(/\/$/, ''));
        expect(names).toContain(`src/${'x'.repeat(90)}/${'y'.repeat(90)}/${'z'.repeat(110)}.txt`);
        expect(found.find((e) => e.path.endsWith('.txt'))?.content).toBe('long');
        expect(found.find((e) => e.path === 'src/longlink')?.linkTarget).toBe('t'.repeat(150));
      }
      // ustar splits names longer than 100 bytes into a prefix and a name.
      const prefixed = path.join(base, 'ustarsrc', 'p'.repeat(60), 'q'.repeat(60));
      fs.mkdirSync(prefixed, { recursive: true });
      fs.writeFileSync(path.join(prefixed, 'file.txt'), 'prefixed');
      const file = path.join(base, 'ustar.tar');
      execFileSync('tar', ['--create', '--format=ustar', `--file=${file}`, `--directory=${base}`, 'ustarsrc']);
      const found = await entries(fs.readFileSync(file), 512);
      expect(found.find((e) => e.path === `ustarsrc/${'p'.repeat(60)}/${'q'.repeat(60)}/file.txt`)?.content).toBe('prefixed');
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('accepts global PAX comments and refuses global PAX paths', async () => {
    const comment = Buffer.from('52 comment=0123456789012345678901234567890123456789\n');
    const withGlobal = (records: Buffer) => {
      const archive = buildTar([{ path: 'a.txt', content: 'x' }]);
      const header = Buffer.from(archive.subarray(0, 512));
      header.fill(0, 0, 100);
      header.write('pax_global_header', 0, 'latin1');
      header.write(`${records.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
      header.write('g', 156, 'latin1');
      header.write('        ', 148, 'latin1');
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += header[i];
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      const padded = Buffer.concat([records, Buffer.alloc(512 - (records.length % 512))]);
      return Buffer.concat([header, padded, archive]);
    };
    expect((await entries(withGlobal(comment))).map((e) => e.path)).toEqual(['a.txt']);
    await expect(entries(withGlobal(Buffer.from('16 path=../evil\n')))).rejects.toThrow('Unsupported tar archive: global PAX header sets "path"');
  });

  it('refuses damaged and unsupported archives', async () => {
    const good = buildTar([{ path: 'a.txt', content: 'x' }]);
    const corrupted = Buffer.from(good);
    corrupted[0] = 'b'.charCodeAt(0);
    await expect(entries(corrupted)).rejects.toThrow('Invalid tar archive: header checksum mismatch');
    await expect(entries(good.subarray(0, 512))).rejects.toThrow(/truncated|ends without/);
    const sparse = Buffer.from(good);
    sparse[156] = 'S'.charCodeAt(0);
    let sum = 0;
    sparse.write('        ', 148, 'latin1');
    for (let i = 0; i < 512; i++) sum += sparse[i];
    sparse.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    await expect(entries(sparse)).rejects.toThrow('Unsupported tar entry "a.txt": GNU sparse file');
  });
});
