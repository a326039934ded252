import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RaftStorageCorruptError } from './errors';
import { EMPTY_HARD_STATE, HARD_STATE_FILE, HardStateFile } from './hard-state-file';

describe('HardStateFile', () => {
  let dir: string;
  const files: HardStateFile[] = [];
  const open = (notes: string[] = []): HardStateFile => {
    const f = HardStateFile.open(dir, notes);
    files.push(f);
    return f;
  };
  const a = { hardState: { term: 3, vote: 2, commit: 10 }, logBase: { index: 4, term: 1 } };
  const b = { hardState: { term: 4, vote: 0, commit: 12 }, logBase: { index: 4, term: 1 } };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-hs-'));
  });
  afterEach(() => {
    for (const f of files.splice(0)) f.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is created empty and keeps the latest write across reopen', () => {
    const f = open();
    expect(f.state).toEqual(EMPTY_HARD_STATE);
    f.write(a);
    f.write(b);
    f.close();
    expect(open().state).toEqual(b);
    expect(fs.readdirSync(dir)).toEqual([HARD_STATE_FILE]);
  });

  it('falls back to the other slot when the newest is torn', () => {
    const f = open();
    f.write(a); // slot 0
    f.write(b); // slot 1
    f.close();
    const file = path.join(dir, HARD_STATE_FILE);
    const buf = fs.readFileSync(file);
    buf[512 + 20] ^= 0xff;
    fs.writeFileSync(file, buf);
    const notes: string[] = [];
    const g = open(notes);
    expect(g.state).toEqual(a);
    expect(notes).toEqual([expect.stringContaining('slot 1 at offset 512 is unreadable (checksum mismatch)')]);
    // The next write goes into the damaged slot and wins.
    g.write(b);
    g.close();
    const notes2: string[] = [];
    expect(open(notes2).state).toEqual(b);
    expect(notes2).toEqual([]);
  });

  it('refuses a file with no valid slot', () => {
    open().write(a);
    files.splice(0).forEach((f) => f.close());
    const file = path.join(dir, HARD_STATE_FILE);
    const buf = fs.readFileSync(file);
    buf[16] ^= 0xff;
    buf[512 + 16] ^= 0xff;
    fs.writeFileSync(file, buf);
    expect(() => open()).toThrow(RaftStorageCorruptError);
    expect(() => open()).toThrow(
      'raft hard state corrupt in hardstate.bin: no valid copy (slot 0 at offset 0: checksum mismatch; slot 1 at offset 512: checksum mismatch)',
    );
  });
});
