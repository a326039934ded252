/**
 * `limits.memory` values as LXD accepts them: an integer with an optional unit (`B`, decimal `kB`..`EB`,
 * binary `KiB`..`EiB`; no unit means bytes), or an integer percentage of the host's memory (`50%`).
 */
import { RuntimeError } from '../errors/runtime-error';

const UNIT_MULTIPLIERS: ReadonlyMap<string, bigint> = new Map([
  ['', 1n],
  ['B', 1n],
  ['kB', 1000n],
  ['MB', 1000n ** 2n],
  ['GB', 1000n ** 3n],
  ['TB', 1000n ** 4n],
  ['PB', 1000n ** 5n],
  ['EB', 1000n ** 6n],
  ['KiB', 1024n],
  ['MiB', 1024n ** 2n],
  ['GiB', 1024n ** 3n],
  ['TiB', 1024n ** 4n],
  ['PiB', 1024n ** 5n],
  ['EiB', 1024n ** 6n],
]);

const SIZE = /^(\d+)\s*([A-Za-z]*)$/;
const PERCENT = /^(\d+)%$/;

/** A byte size like `64MiB`, `1GB` or `1048576`. */
export function parseByteSize(value: string, key = 'limits.memory'): number {
  const match = SIZE.exec(value.trim());
  const multiplier = match ? UNIT_MULTIPLIERS.get(match[2]) : undefined;
  if (!match || multiplier === undefined) {
    throw new RuntimeError(
      'InvalidArgument',
      `Invalid value "${value}" for ${key}: expected an integer with an optional unit (B, kB, MB, GB, TB, PB, EB, KiB, MiB, GiB, TiB, PiB, EiB)`,
    );
  }
  const bytes = BigInt(match[1]) * multiplier;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for ${key}: too large`);
  }
  return Number(bytes);
}

/** The number of bytes `limits.memory` stands for on a host with `hostMemoryBytes` of memory. */
export function parseMemoryLimit(value: string, hostMemoryBytes: number): number {
  const trimmed = value.trim();
  const percent = PERCENT.exec(trimmed);
  let bytes: number;
  if (percent) {
    const share = Number(percent[1]);
    if (share < 1 || share > 100) {
      throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for limits.memory: a percentage must be between 1% and 100%`);
    }
    bytes = Math.floor((hostMemoryBytes * share) / 100);
  } else {
    bytes = parseByteSize(trimmed);
  }
  if (bytes <= 0) {
    throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for limits.memory: must be more than 0 bytes`);
  }
  return bytes;
}
