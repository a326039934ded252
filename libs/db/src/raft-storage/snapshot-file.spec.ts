import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Role } from '@app/raft';
import { RaftStorageCorruptError } from './errors';
import { parseSnapshotFileName, readSnapshotFile, SNAPSHOT_CHUNK_BYTES, snapshotFileName, writeSnapshotFile } from './snapshot-file';

describe('snapshot files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-snap-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const meta = { index: 1234, term: 7, membership: [{ id: 1, role: Role.Voter }, { id: 2, role: Role.Standby }] };

  it('names files by index and term', () => {
    expect(snapshotFileName(1234, 7)).toBe('snapshot-00000000000000001234-00000000000000000007.bin');
    expect(parseSnapshotFileName(snapshotFileName(1234, 7))).toEqual({ index: 1234, term: 7 });
    expect(parseSnapshotFileName('snapshot-1-2.bin.tmp')).toBeUndefined();
  });

  it('round-trips a multi-chunk snapshot and leaves no temp file', () => {
    const data = new Uint8Array(randomBytes(3 * SNAPSHOT_CHUNK_BYTES + 12345));
    const name = writeSnapshotFile(dir, { meta, data });
    expect(fs.readdirSync(dir)).toEqual([name]);
    const back = readSnapshotFile(dir, name);
    expect(back.meta).toEqual(meta);
    expect(Buffer.compare(back.data, data)).toBe(0);
  });

  it('round-trips an empty snapshot', () => {
    const name = writeSnapshotFile(dir, { meta, data: new Uint8Array(0) });
    expect(readSnapshotFile(dir, name)).toEqual({ meta, data: new Uint8Array(0) });
  });

  it('detects damaged data and headers', () => {
    const data = new Uint8Array(randomBytes(100_000));
    const name = writeSnapshotFile(dir, { meta, data });
    const file = path.join(dir, name);
    const good = fs.readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 10] ^= 0x01;
    fs.writeFileSync(file, bad);
    expect(() => readSnapshotFile(dir, name)).toThrow(RaftStorageCorruptError);
    expect(() => readSnapshotFile(dir, name)).toThrow(`raft snapshot corrupt in ${name} at offset`);
    expect(() => readSnapshotFile(dir, name)).toThrow('data checksum mismatch');
    const badMeta = Buffer.from(good);
    badMeta[40] ^= 0x01;
    fs.writeFileSync(file, badMeta);
    expect(() => readSnapshotFile(dir, name)).toThrow('header checksum mismatch');
    fs.writeFileSync(file, good.subarray(0, good.length - 1));
    expect(() => readSnapshotFile(dir, name)).toThrow(/header says \d+ meta \+ 100000 data bytes/);
  });
});
