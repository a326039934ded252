/**
 * The resident memory of each member's daemon process (VmRSS in /proc/<pid>/status), as an
 * operator sees it in `ps` or `top`: what the process holds in RAM, the pages of the node (or lxd)
 * binary it runs included.
 */
import * as fs from 'node:fs';
import type { RunningMember } from '../../deploy/local-cluster/bring-up';

/** VmRSS of a process in MB (10^6 bytes, one decimal), or undefined when it is gone. */
export function residentMb(pid: number): number | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return kb ? Math.round((Number(kb[1]) * 1024) / 1e5) / 10 : undefined;
}

/** Each running member's resident memory in MB, by member name. */
export function membersResidentMb(members: readonly RunningMember[]): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const m of members) {
    const mb = residentMb(m.pid);
    if (mb !== undefined) byName[m.name] = mb;
  }
  return byName;
}
