/** The uid/gid map Cubed records about a created container, in LXD's `volatile.idmap.*` format. */
import type { InstanceInfo } from '@app/runtime';

interface IdmapEntry {
  Isuid: boolean;
  Isgid: boolean;
  Hostid: number;
  Nsid: number;
  Maprange: number;
}

export function idmapConfig(info: InstanceInfo): Record<string, string> {
  const entries: IdmapEntry[] = info.idmap
    ? [
        { Isuid: true, Isgid: false, Hostid: info.idmap.hostUid, Nsid: 0, Maprange: info.idmap.size },
        { Isuid: false, Isgid: true, Hostid: info.idmap.hostGid, Nsid: 0, Maprange: info.idmap.size },
      ]
    : [];
  const json = JSON.stringify(entries);
  const out: Record<string, string> = {
    'volatile.idmap.base': String(info.idmap?.hostUid ?? 0),
    'volatile.idmap.current': json,
    'volatile.idmap.next': json,
    'volatile.last_state.idmap': json,
  };
  return out;
}
