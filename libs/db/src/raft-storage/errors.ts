/**
 * Errors of the on-disk Raft storage.
 */

/**
 * The stored Raft state is damaged in a way that cannot be explained by a crash during a write
 * (a bad record with valid records after it, a gap in the log, an unreadable hard-state file...).
 * Starting from such a directory could silently lose acknowledged data, so the store refuses.
 */
export class RaftStorageCorruptError extends Error {
  constructor(
    message: string,
    /** The damaged file (base name within the store directory). */
    readonly file?: string,
    /** Byte offset of the damage within `file`, when known. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'RaftStorageCorruptError';
  }
}
