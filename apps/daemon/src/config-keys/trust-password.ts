/**
 * The trust password is kept as a salted scrypt hash (hex of salt followed by the 64-byte key), so
 * the replicated config never holds the password itself. scrypt takes tens of milliseconds by design:
 * it runs on the thread pool, so that a join or a wrong password does not stall the member's event
 * loop (its Raft heartbeats and every other request) meanwhile.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const SALT_BYTES = 32;
const KEY_BYTES = 64;

function scryptKey(password: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashTrustPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return Buffer.concat([salt, await scryptKey(password, salt)]).toString('hex');
}

export async function verifyTrustPassword(password: string, stored: string | undefined): Promise<boolean> {
  if (!stored || !/^[0-9a-f]+$/.test(stored)) return false;
  const buf = Buffer.from(stored, 'hex');
  if (buf.length !== SALT_BYTES + KEY_BYTES) return false;
  const key = await scryptKey(password, buf.subarray(0, SALT_BYTES));
  return timingSafeEqual(key, buf.subarray(SALT_BYTES));
}
