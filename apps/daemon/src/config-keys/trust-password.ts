/**
 * The trust password is kept as a salted scrypt hash (hex of salt followed by the 64-byte key), so
 * the replicated config never holds the password itself.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const SALT_BYTES = 32;
const KEY_BYTES = 64;

export function hashTrustPassword(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  return Buffer.concat([salt, scryptSync(password, salt, KEY_BYTES)]).toString('hex');
}

export function verifyTrustPassword(password: string, stored: string | undefined): boolean {
  if (!stored || !/^[0-9a-f]+$/.test(stored)) return false;
  const buf = Buffer.from(stored, 'hex');
  if (buf.length !== SALT_BYTES + KEY_BYTES) return false;
  const key = scryptSync(password, buf.subarray(0, SALT_BYTES), KEY_BYTES);
  return timingSafeEqual(key, buf.subarray(SALT_BYTES));
}
