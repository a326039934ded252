/**
 * Locating a container's cgroup directories. For a running container they are read from its init's
 * `/proc/<pid>/cgroup` (exact even if LXC had to pick another name); otherwise LXC's naming is assumed:
 * `lxc.payload.<name>` at the root of each hierarchy.
 */
import { KernelFiles } from '../process/kernel-files';
import { CgroupLayout, controllerLocation } from './cgroup-layout';

/** The directory of a controller's cgroup for one container, or null when the controller is absent. */
export type CgroupDirectoryOf = (controller: string) => string | null;

export interface ProcessCgroups {
  /** v1 controller → path within its hierarchy. */
  v1: Map<string, string>;
  /** Path within the unified hierarchy. */
  unified: string | null;
}

/** Parses `/proc/<pid>/cgroup` (`4:memory:/lxc.payload.c1`, `0::/lxc.payload.c1`). */
export function parseProcessCgroups(text: string): ProcessCgroups {
  const result: ProcessCgroups = { v1: new Map(), unified: null };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (controllers === '') result.unified = path;
    else for (const controller of controllers.split(',')) result.v1.set(controller, path);
  }
  return result;
}

function join(mountPoint: string, path: string): string {
  return path === '/' ? mountPoint : `${mountPoint}${path}`;
}

export function payloadCgroupName(instanceName: string): string {
  return `lxc.payload.${instanceName}`;
}

/** Directories by LXC's naming, for when no process of the container is known. */
export function namedCgroupDirectories(layout: CgroupLayout, instanceName: string): CgroupDirectoryOf {
  return (controller) => {
    const location = controllerLocation(layout, controller);
    return location ? `${location.mountPoint}/${payloadCgroupName(instanceName)}` : null;
  };
}

/** Directories of the cgroups a process is in; null when the process is gone. */
export async function processCgroupDirectories(
  files: KernelFiles,
  layout: CgroupLayout,
  pid: number,
): Promise<CgroupDirectoryOf | null> {
  const text = await files.read(`/proc/${pid}/cgroup`);
  if (text === null) return null;
  const cgroups = parseProcessCgroups(text);
  return (controller) => {
    const location = controllerLocation(layout, controller);
    if (!location) return null;
    const path = location.version === 1 ? cgroups.v1.get(controller) : cgroups.unified;
    return path === undefined || path === null ? null : join(location.mountPoint, path);
  };
}
