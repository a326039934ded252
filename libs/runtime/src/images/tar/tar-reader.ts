/**
 * Streaming reader of tar archives: yields one entry at a time with the effect of PAX extended headers
 * (`path`, `linkpath`, `size`, `uid`, `gid`) and GNU long names already applied. An entry's data can be
 * read while it is the current one; whatever is not read is skipped.
 */
import { RuntimeError } from '../../errors/runtime-error';
import { ChunkReader } from './chunk-reader';
import { parseTarHeader, TAR_BLOCK_SIZE } from './tar-header';

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char-device' | 'block-device' | 'directory' | 'fifo';

export interface TarEntry {
  /** The path as stored (not normalized). */
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Target of a symlink or hard link. */
  linkTarget: string;
  devMajor: number;
  devMinor: number;
  /** The entry's data; fails when it is larger than `maxBytes`. */
  readContent(maxBytes: number): Promise<Buffer>;
}

const TYPES: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  // GNU dump directory: a directory whose data lists its contents; the data is not needed.
  D: 'directory',
};

function padded(size: number): number {
  return Math.ceil(size / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;
}

/** PAX extended header records: `<length> <key>=<value>\n`. */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(data.subarray(offset, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) {
      throw new RuntimeError('InvalidArgument', 'Invalid tar archive: malformed PAX header');
    }
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

/** Global PAX keys that change nothing about where or what entries are extracted. */
const HARMLESS_GLOBAL_KEYS = new Set(['comment', 'mtime', 'atime', 'ctime', 'charset', 'hdrcharset']);

/**
 * Global PAX headers set defaults for every following entry. Ones that only carry comments or times
 * (`git archive` writes one) are accepted and dropped; a global `path`, `linkpath`, size or owner would
 * make extraction differ from what this reader sees, so such archives are refused.
 */
function assertHarmlessGlobalRecords(records: Map<string, string>): void {
  for (const key of records.keys()) {
    if (!HARMLESS_GLOBAL_KEYS.has(key)) throw new RuntimeError('InvalidArgument', `Unsupported tar archive: global PAX header sets "${key}"`);
  }
}

function nulTerminated(data: Buffer): string {
  const end = data.indexOf(0);
  return data.subarray(0, end < 0 ? data.length : end).toString('utf8');
}

function paxNumber(records: Map<string, string>, key: string): number | undefined {
  const value = records.get(key);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new RuntimeError('InvalidArgument', `Invalid tar archive: bad PAX ${key} "${value}"`);
  return Number(value);
}

export async function* readTarEntries(source: AsyncIterable<Buffer | string>): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(source);
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;
  const metaLimit = 1024 * 1024;
  for (;;) {
    const block = await reader.read(TAR_BLOCK_SIZE);
    if (block === null) throw new RuntimeError('InvalidArgument', 'Invalid tar archive: it ends without an end-of-archive block');
    const header = parseTarHeader(block);
    if (header === null) break;
    if ([...pax.keys()].some((key) => key.startsWith('GNU.sparse.'))) {
      throw new RuntimeError('InvalidArgument', `Unsupported tar entry "${pax.get('path') ?? header.name}": GNU sparse file`);
    }
    const sizeOverride = paxNumber(pax, 'size');
    const size = sizeOverride ?? header.size;
    const dataSize = padded(size);

    if (header.typeflag === 'x' || header.typeflag === 'g' || header.typeflag === 'L' || header.typeflag === 'K') {
      if (header.size > metaLimit) throw new RuntimeError('InvalidArgument', 'Invalid tar archive: oversized extended header');
      const data = await reader.read(padded(header.size));
      if (data === null) throw new RuntimeError('InvalidArgument', 'Invalid tar archive: truncated extended header');
      const content = data.subarray(0, header.size);
      if (header.typeflag === 'x') pax = parsePaxRecords(content);
      else if (header.typeflag === 'g') assertHarmlessGlobalRecords(parsePaxRecords(content));
      else if (header.typeflag === 'L') longName = nulTerminated(content);
      else if (header.typeflag === 'K') longLink = nulTerminated(content);
      continue;
    }
    if (header.typeflag === 'V') {
      if (!(await reader.skip(dataSize))) throw new RuntimeError('InvalidArgument', 'Invalid tar archive: truncated');
      pax = new Map();
      continue;
    }
    const type = TYPES[header.typeflag];
    if (type === undefined) {
      const kind = header.typeflag === 'S' ? 'GNU sparse file' : header.typeflag === 'M' ? 'multi-volume continuation' : `type "${header.typeflag}"`;
      throw new RuntimeError('InvalidArgument', `Unsupported tar entry "${longName ?? header.name}": ${kind}`);
    }
    const entryHasData = type === 'file' || header.typeflag === 'D';
    const path = pax.get('path') ?? longName ?? header.name;
    const linkTarget = pax.get('linkpath') ?? longLink ?? header.linkname;
    const uid = paxNumber(pax, 'uid') ?? header.uid;
    const gid = paxNumber(pax, 'gid') ?? header.gid;
    pax = new Map();
    longName = null;
    longLink = null;

    let consumed = !entryHasData || size === 0;
    const entry: TarEntry = {
      path,
      type,
      mode: header.mode & 0o7777,
      uid,
      gid,
      size: entryHasData ? size : 0,
      linkTarget,
      devMajor: header.devmajor,
      devMinor: header.devminor,
      readContent: async (maxBytes: number) => {
        if (consumed) {
          if (!entryHasData || size === 0) return Buffer.alloc(0);
          throw new RuntimeError('Failed', `The content of tar entry "${path}" was already read`);
        }
        if (size > maxBytes) throw new RuntimeError('InvalidArgument', `Tar entry "${path}" is larger than ${maxBytes} bytes`);
        consumed = true;
        const data = await reader.read(dataSize);
        if (data === null) throw new RuntimeError('InvalidArgument', `Invalid tar archive: "${path}" is truncated`);
        return data.subarray(0, size);
      },
    };
    yield entry;
    if (!consumed) {
      consumed = true;
      if (!(await reader.skip(dataSize))) throw new RuntimeError('InvalidArgument', `Invalid tar archive: "${path}" is truncated`);
    } else if (!entryHasData && size > 0) {
      // A non-file entry with a size (hard links in some writers) still occupies data blocks.
      if (!(await reader.skip(dataSize))) throw new RuntimeError('InvalidArgument', 'Invalid tar archive: truncated');
    }
  }
  await reader.drain();
}
