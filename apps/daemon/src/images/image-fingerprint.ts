/**
 * Image fingerprints: the lower-case hex SHA-256 of the image's file(s). The API accepts any
 * unique prefix; matching ignores case, as LXD's does.
 */
export const FINGERPRINT = /^[0-9a-f]{64}$/;

export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/**
 * A fingerprint prefix as given in a URL, lower-cased; undefined when it cannot be the start of any
 * fingerprint (empty, too long, or not hex), so that the caller answers "not found".
 */
export function fingerprintPrefix(value: string): string | undefined {
  const lower = value.toLowerCase();
  return /^[0-9a-f]{1,64}$/.test(lower) ? lower : undefined;
}
