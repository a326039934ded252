/**
 * Host paths that end up in LXC configuration lines and overlayfs mount options must not contain the
 * characters those formats use as separators.
 */
import * as path from 'node:path';
import { RuntimeError } from '../errors/runtime-error';

const UNSAFE = /[\s:,\\"'=]/;

export function assertConfigSafePath(value: string, what: string): void {
  if (!path.isAbsolute(value)) throw new RuntimeError('InvalidArgument', `${what} must be an absolute path (got "${value}")`);
  if (UNSAFE.test(value)) {
    throw new RuntimeError('InvalidArgument', `${what} "${value}" must not contain whitespace, quotes, or any of : , \\ =`);
  }
}
