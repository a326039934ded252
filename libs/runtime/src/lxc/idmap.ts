/**
 * The uid/gid range of unprivileged containers.
 *
 * Root's delegated ranges in /etc/subuid and /etc/subgid are used when they exist. LXC insists on such
 * a delegation whenever the shadow tools newuidmap/newgidmap are installed (it lets them write the map,
 * and they refuse undelegated ranges). Without a delegation, a range above every delegated one is chosen
 * and LXC is run without those tools on its PATH, so that it writes the map itself, which the kernel
 * allows for root.
 */
import { IdmapInfo } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';

export interface SubordinateRange {
  user: string;
  start: number;
  count: number;
}

export interface IdmapChoice {
  idmap: IdmapInfo;
  /** Whether root owns the range in both files. */
  delegated: boolean;
}

export const DEFAULT_IDMAP_SIZE = 65536;
const UNDELEGATED_BASE = 1_000_000;

export function parseSubordinateIds(text: string): SubordinateRange[] {
  const ranges: SubordinateRange[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(':');
    if (fields.length !== 3 || line.trim().startsWith('#')) continue;
    const start = Number(fields[1]);
    const count = Number(fields[2]);
    if (Number.isSafeInteger(start) && Number.isSafeInteger(count) && count > 0) ranges.push({ user: fields[0], start, count });
  }
  return ranges;
}

function covers(ranges: readonly SubordinateRange[], start: number, size: number): boolean {
  return ranges.some((r) => (r.user === 'root' || r.user === '0') && r.start <= start && start + size <= r.start + r.count);
}

function rootRange(ranges: readonly SubordinateRange[], size: number): number | null {
  const range = ranges.find((r) => (r.user === 'root' || r.user === '0') && r.count >= size);
  return range ? range.start : null;
}

export function chooseIdmap(
  subuid: readonly SubordinateRange[],
  subgid: readonly SubordinateRange[],
  requested?: IdmapInfo,
): IdmapChoice {
  if (requested) {
    if (requested.size < 1 || requested.hostUid < 1 || requested.hostGid < 1) {
      throw new RuntimeError('InvalidArgument', 'An idmap must map to host ids above 0');
    }
    return {
      idmap: requested,
      delegated: covers(subuid, requested.hostUid, requested.size) && covers(subgid, requested.hostGid, requested.size),
    };
  }
  const uid = rootRange(subuid, DEFAULT_IDMAP_SIZE);
  const gid = rootRange(subgid, DEFAULT_IDMAP_SIZE);
  if (uid !== null && gid !== null) return { idmap: { hostUid: uid, hostGid: gid, size: DEFAULT_IDMAP_SIZE }, delegated: true };
  const base = Math.max(UNDELEGATED_BASE, ...[...subuid, ...subgid].map((r) => r.start + r.count));
  return { idmap: { hostUid: base, hostGid: base, size: DEFAULT_IDMAP_SIZE }, delegated: false };
}
