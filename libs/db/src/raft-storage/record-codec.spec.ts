import { EntryType } from '@app/raft';
import { decodeRecordAt, encodeRecords, findValidRecordAfter, recordSize } from './record-codec';

const ent = (index: number, term: number, s: string) => ({ index, term, type: EntryType.Normal, data: new TextEncoder().encode(s) });

describe('record codec', () => {
  it('round-trips entries, including large indexes and empty data', () => {
    const es = [ent(1, 1, 'a'), { ...ent(2 ** 40 + 3, 2 ** 33, ''), type: EntryType.ConfChange }, ent(7, 9, 'hello')];
    const buf = encodeRecords(es);
    expect(buf.length).toBe(es.reduce((n, e) => n + recordSize(e), 0));
    let at = 0;
    for (const e of es) {
      const r = decodeRecordAt(buf, at);
      if (!r.ok) throw new Error(r.problem);
      expect(r.entry).toEqual(e);
      at += r.size;
    }
    expect(at).toBe(buf.length);
  });

  it('reports short, mis-sized and damaged records', () => {
    const buf = encodeRecords([ent(1, 1, 'abc')]);
    expect(decodeRecordAt(buf.subarray(0, 5), 0)).toEqual({ ok: false, problem: 'short header' });
    expect(decodeRecordAt(buf.subarray(0, buf.length - 1), 0)).toEqual({ ok: false, problem: 'short record' });
    const zeros = Buffer.alloc(64);
    expect(decodeRecordAt(zeros, 0)).toEqual({ ok: false, problem: 'bad length' });
    const flipped = Buffer.from(buf);
    flipped[buf.length - 1] ^= 0x01;
    expect(decodeRecordAt(flipped, 0)).toEqual({ ok: false, problem: 'checksum mismatch' });
  });

  it('finds a valid record after a damaged one', () => {
    const es = [ent(1, 1, 'one'), ent(2, 1, 'two'), ent(3, 1, 'three')];
    const buf = encodeRecords(es);
    buf[8 + 17] ^= 0xff; // data of record 1
    expect(findValidRecordAfter(buf, 0, buf.length, 1)).toBe(recordSize(es[0]));
    // Nothing valid after the last record.
    const last = recordSize(es[0]) + recordSize(es[1]);
    expect(findValidRecordAfter(buf, last, buf.length, 3)).toBe(-1);
  });
});
