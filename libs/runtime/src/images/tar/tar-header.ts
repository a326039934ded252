/**
 * The 512-byte header block of a tar archive (POSIX ustar, with the GNU variations of the magic and of
 * base-256 numbers).
 */
import { RuntimeError } from '../../errors/runtime-error';

export const TAR_BLOCK_SIZE = 512;

export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** The raw type flag character ('0', '5', 'x', 'L'...). */
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** A numeric field: octal text, or big-endian base-256 when the first byte has its high bit set. */
function number(block: Buffer, offset: number, length: number, field: string): number {
  const bytes = block.subarray(offset, offset + length);
  if (bytes[0] & 0x80) {
    if (bytes[0] === 0xff) throw new RuntimeError('InvalidArgument', `Invalid tar archive: negative ${field}`);
    let value = BigInt(bytes[0] & 0x7f);
    for (let i = 1; i < bytes.length; i++) value = (value << 8n) | BigInt(bytes[i]);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RuntimeError('InvalidArgument', `Invalid tar archive: ${field} too large`);
    return Number(value);
  }
  const digits = text(block, offset, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new RuntimeError('InvalidArgument', `Invalid tar archive: bad ${field} "${digits}"`);
  return parseInt(digits, 8);
}

function checksumMatches(block: Buffer): boolean {
  const stored = number(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** Parses a header block; null for an all-zero block (the end of the archive). */
export function parseTarHeader(block: Buffer): TarHeader | null {
  if (block.length !== TAR_BLOCK_SIZE) throw new RuntimeError('InvalidArgument', 'Invalid tar archive: truncated header');
  if (block.every((byte) => byte === 0)) return null;
  if (!checksumMatches(block)) throw new RuntimeError('InvalidArgument', 'Invalid tar archive: header checksum mismatch');
  const magic = block.subarray(257, 263).toString('latin1');
  let name = text(block, 0, 100);
  // POSIX ustar keeps a path prefix in its own field; the GNU format ("ustar  ") uses that area otherwise.
  if (magic === 'ustar\0') {
    const prefix = text(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: number(block, 100, 8, 'mode'),
    uid: number(block, 108, 8, 'uid'),
    gid: number(block, 116, 8, 'gid'),
    size: number(block, 124, 12, 'size'),
    mtime: number(block, 136, 12, 'mtime'),
    typeflag: String.fromCharCode(block[156] || 0x30),
    linkname: text(block, 157, 100),
    devmajor: number(block, 329, 8, 'devmajor'),
    devminor: number(block, 337, 8, 'devminor'),
  };
}
