/**
 * Replacing the data of membership-change entries inside one log segment, atomically: the whole
 * segment is written again under a temporary name (every other record byte for byte the same),
 * fsynced, renamed over the original and the directory fsynced. A crash leaves either the old
 * segment or the new one, plus at most a temporary file that the next rewrite removes (the log
 * store ignores it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Entry, EntryType } from '@app/raft';
import { fsyncDir, writeNewFileDurably, writeFully } from '../raft-storage/fs-util';
import { encodeRecords } from '../raft-storage/record-codec';
import { SegmentFile } from '../raft-storage/segment-file';

export const SEGMENT_REWRITE_SUFFIX = '.rewrite.tmp';

/** First index of every log segment in `dir`, in order. */
export function segmentFirstIndexes(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((n) => SegmentFile.parseName(n))
    .filter((i): i is number => i !== undefined)
    .sort((a, b) => a - b);
}

/** Removes the temporary files of segment rewrites a crash interrupted; true if there were any. */
export function removeSegmentRewriteLeftovers(dir: string): boolean {
  let removed = false;
  for (const n of fs.readdirSync(dir)) {
    if (n.endsWith(SEGMENT_REWRITE_SUFFIX) && SegmentFile.parseName(n.slice(0, -SEGMENT_REWRITE_SUFFIX.length)) !== undefined) {
      fs.unlinkSync(path.join(dir, n));
      removed = true;
    }
  }
  if (removed) fsyncDir(dir);
  return removed;
}

/**
 * Rewrites the segment starting at `firstIndex` so that every membership-change entry with an
 * index above `after` carries `data`. Returns how many entries were rewritten (0: the file is
 * left untouched).
 */
export function rewriteSegmentConfChanges(dir: string, firstIndex: number, last: boolean, after: number, data: Uint8Array): number {
  const { segment, entries } = SegmentFile.load(dir, firstIndex, last);
  segment.close();
  let rewritten = 0;
  const out: Entry[] = entries.map((e) => {
    if (e.type !== EntryType.ConfChange || e.index <= after) return e;
    rewritten++;
    return { index: e.index, term: e.term, type: e.type, data };
  });
  if (rewritten === 0) return 0;
  const file = path.join(dir, SegmentFile.fileName(firstIndex));
  const tmp = file + SEGMENT_REWRITE_SUFFIX;
  writeNewFileDurably(tmp, (fd) => writeFully(fd, encodeRecords(out), 0), 0o666);
  fs.renameSync(tmp, file);
  fsyncDir(dir);
  return rewritten;
}
