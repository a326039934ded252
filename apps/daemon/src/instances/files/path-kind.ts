/**
 * What is at a path inside a container, without reading it: the entry of its parent directory
 * (a symlink is reported as such, not followed). The root and a path ending in `..` are directories.
 */
import * as posix from 'node:path/posix';
import { type DirectoryEntry, isRuntimeError, type RuntimeDriver } from '@app/runtime';

export type PathKind = DirectoryEntry['type'];

/** The kind of `path`, or null when nothing is there (its parent directory missing included). */
export async function pathKind(driver: RuntimeDriver, instance: string, path: string): Promise<PathKind | null> {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  const last = parts.pop();
  if (last === undefined || last === '..') return 'directory';
  let entries: DirectoryEntry[];
  try {
    entries = await driver.listDirectory(instance, posix.join('/', ...parts));
  } catch (err) {
    if (isRuntimeError(err, 'NotFound')) return null;
    if (isRuntimeError(err, 'InvalidArgument') && /is not a directory/.test(err.message)) return null;
    throw err;
  }
  return entries.find((entry) => entry.name === last)?.type ?? null;
}
