/**
 * Where the host's cgroup controllers are: each cgroup v1 hierarchy is mounted on its own, the unified
 * (v2) hierarchy offers the controllers listed in its `cgroup.controllers`. A controller bound to a v1
 * hierarchy cannot be used through v2, so each controller is looked up separately: on a hybrid host
 * (v1 controllers plus an empty unified hierarchy) every limit must use LXC's `lxc.cgroup.*` keys, on a
 * pure v2 host `lxc.cgroup2.*`. LXC ignores keys of the wrong family with only a warning, which is why the
 * choice is made here, from the mount table, and never guessed.
 */
import { KernelFiles } from '../process/kernel-files';
import { parseMountTable } from '../util/mount-table';

export type CgroupVersion = 1 | 2;

export interface CgroupLocation {
  version: CgroupVersion;
  mountPoint: string;
}

export interface CgroupLayout {
  /** cgroup v1 controller name → mount point of its hierarchy. */
  v1: ReadonlyMap<string, string>;
  /** The unified hierarchy, when mounted. */
  unified: { mountPoint: string; controllers: ReadonlySet<string> } | null;
  /** Mount points of every hierarchy, named ones (`name=systemd`) included. */
  mountPoints: readonly string[];
  /** Whether swap is accounted (v1 `memory.memsw.*`, v2 `memory.swap.max`). */
  swapAccounting: boolean;
}

const V1_CONTROLLERS = new Set([
  'blkio',
  'cpu',
  'cpuacct',
  'cpuset',
  'devices',
  'freezer',
  'hugetlb',
  'memory',
  'misc',
  'net_cls',
  'net_prio',
  'perf_event',
  'pids',
  'rdma',
]);

export function controllerLocation(layout: CgroupLayout, controller: string): CgroupLocation | null {
  const v1 = layout.v1.get(controller);
  if (v1 !== undefined) return { version: 1, mountPoint: v1 };
  if (layout.unified && layout.unified.controllers.has(controller)) return { version: 2, mountPoint: layout.unified.mountPoint };
  return null;
}

/** Parses a mount table (the text of `/proc/self/mounts`) and reads the unified hierarchy's controllers. */
export async function detectCgroupLayout(mountsText: string, files: KernelFiles): Promise<CgroupLayout> {
  const v1 = new Map<string, string>();
  const mountPoints: string[] = [];
  let unifiedMount: string | null = null;
  for (const { mountPoint, fsType, options } of parseMountTable(mountsText)) {
    if (fsType === 'cgroup') {
      if (!mountPoints.includes(mountPoint)) mountPoints.push(mountPoint);
      for (const option of options) {
        if (V1_CONTROLLERS.has(option) && !v1.has(option)) v1.set(option, mountPoint);
      }
    } else if (fsType === 'cgroup2' && unifiedMount === null) {
      unifiedMount = mountPoint;
      if (!mountPoints.includes(mountPoint)) mountPoints.push(mountPoint);
    }
  }
  let unified: CgroupLayout['unified'] = null;
  if (unifiedMount !== null) {
    const text = (await files.read(`${unifiedMount}/cgroup.controllers`)) ?? '';
    unified = { mountPoint: unifiedMount, controllers: new Set(text.split(/\s+/).filter((c) => c !== '')) };
  }
  const layout: CgroupLayout = { v1, unified, mountPoints, swapAccounting: false };
  const memory = controllerLocation(layout, 'memory');
  if (memory?.version === 1) {
    layout.swapAccounting = await files.exists(`${memory.mountPoint}/memory.memsw.limit_in_bytes`);
  } else if (memory?.version === 2) {
    layout.swapAccounting = await v2SwapAccounting(memory.mountPoint, files);
  }
  return layout;
}

/** The root of a v2 hierarchy has no `memory.swap.max`; any child group shows whether the kernel has it. */
async function v2SwapAccounting(mountPoint: string, files: KernelFiles): Promise<boolean> {
  for (const child of await files.listDirectories(mountPoint)) {
    if (await files.exists(`${mountPoint}/${child}/memory.swap.max`)) return true;
  }
  return false;
}
