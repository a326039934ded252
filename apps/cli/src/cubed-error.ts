/** A failure to report to the user as `Error: <message>`. */
export class CubedError extends Error {
  constructor(
    message: string,
    /** HTTP status of an error envelope, if the daemon sent one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CubedError';
  }
}

/**
 * The daemon could not be reached or did not answer (no socket, refused, TLS failure, timeout): no LXD envelope
 * came back. `code` is the system or TLS error code when there is one (`ENOENT`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …).
 */
export class ConnectionError extends CubedError {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}
