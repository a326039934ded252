/**
 * The one error type of the runtime library. `code` says what kind of failure it is, so that a caller
 * (the daemon's API) can map it to a status without parsing messages; `message` is meant for people and
 * carries the relevant tool output (stderr, log excerpt) when a command failed.
 */
export type RuntimeErrorCode =
  /** The instance, snapshot, image or path does not exist. */
  | 'NotFound'
  /** Something with that name already exists. */
  | 'AlreadyExists'
  /** The request itself is invalid: a bad name, a bad limit value, a path escaping the container root... */
  | 'InvalidArgument'
  /** The request is valid but not in the instance's current state (start while running, restore while running...). */
  | 'InvalidState'
  /** A limit was accepted by LXC but the kernel does not show it applied. */
  | 'LimitNotApplied'
  /** An external command did not finish in time. */
  | 'Timeout'
  /** An external command or a system call failed. */
  | 'Failed';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    /** Output of the failed tool (stderr and/or a log excerpt), when there was one. */
    readonly details?: string,
  ) {
    super(details ? `${message}: ${details}` : message);
    this.name = 'RuntimeError';
  }
}

/** True when `error` is a RuntimeError with the given code. */
export function isRuntimeError(error: unknown, code?: RuntimeErrorCode): error is RuntimeError {
  return error instanceof RuntimeError && (code === undefined || error.code === code);
}
