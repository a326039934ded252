/** 32-bit FNV-1a, used for entry-data hashes, the state machine's rolling hash and trace hashes. */

export const FNV_OFFSET = 0x811c9dc5;

export function fnvBytes(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ bytes[i]!, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a 32-bit number in, byte by byte. */
export function fnvU32(hash: number, n: number): number {
  let h = hash;
  h = Math.imul(h ^ (n & 0xff), 0x01000193);
  h = Math.imul(h ^ ((n >>> 8) & 0xff), 0x01000193);
  h = Math.imul(h ^ ((n >>> 16) & 0xff), 0x01000193);
  h = Math.imul(h ^ ((n >>> 24) & 0xff), 0x01000193);
  return h >>> 0;
}

/** Mixes a string in (UTF-16 code units, two bytes each). */
export function fnvString(hash: number, s: string): number {
  let h = hash;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h = Math.imul(h ^ (c & 0xff), 0x01000193);
    h = Math.imul(h ^ (c >>> 8), 0x01000193);
  }
  return h >>> 0;
}

export function hashBytes(bytes: Uint8Array): number {
  return fnvBytes(FNV_OFFSET, bytes);
}

export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
