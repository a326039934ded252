/**
 * Containers outlive a daemon that is gone (LXC keeps them running), so once the daemons have
 * stopped, the containers the benchmark created are ended, each found by its exact name in two
 * ways: its cgroups (`lxc.payload.<name>`, `lxc.monitor.<name>` in every hierarchy under
 * /sys/fs/cgroup: thawed, then every process sent SIGKILL), and LXC's monitor process
 * (`[lxc monitor] <lxcpath> <name>`, for the cluster's lxcpaths), whose child is the container's
 * init: SIGKILL to it ends the container's pid namespace. LXD's containers have only the second:
 * `ip netns exec` remounts /sys without the cgroup hierarchies, so LXD runs them without cgroups.
 * Once the processes are gone, the cgroup directories are removed (sub-groups first).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../../deploy/local-cluster/polling';
import { isAlive, signal } from '../../deploy/local-cluster/process-control';

const CGROUP_ROOT = '/sys/fs/cgroup';

function subdirectories(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/** The container's cgroup directories that exist: its payload groups, then its monitor groups. */
function cgroupsOf(name: string): { payload: string[]; monitor: string[] } {
  const hierarchies = subdirectories(CGROUP_ROOT);
  const existing = (group: string): string[] => hierarchies.map((h) => path.join(h, group)).filter((d) => fs.existsSync(d));
  return { payload: existing(`lxc.payload.${name}`), monitor: existing(`lxc.monitor.${name}`) };
}

/** The group and its sub-groups, deepest first. */
function tree(dir: string): string[] {
  return [...subdirectories(dir).flatMap(tree), dir];
}

function processesIn(dirs: string[]): number[] {
  const pids = new Set<number>();
  for (const d of dirs.flatMap(tree)) {
    let text = '';
    try {
      text = fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
  }
  return [...pids];
}

function thaw(dirs: string[]): void {
  for (const d of dirs.flatMap(tree)) {
    for (const [file, value] of [
      ['freezer.state', 'THAWED'],
      ['cgroup.freeze', '0'],
    ]) {
      const f = path.join(d, file);
      if (fs.existsSync(f)) {
        try {
          fs.writeFileSync(f, value);
        } catch {
          // a group that is being removed
        }
      }
    }
  }
}

/** The pids of LXC monitors of container `name` under one of `lxcPaths`. */
function monitorsOf(name: string, lxcPaths: string[]): number[] {
  const wanted = new Set(lxcPaths.map((p) => `[lxc monitor] ${path.resolve(p)} ${name}`));
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (wanted.has(cmdline.trim())) found.push(Number(entry));
  }
  return found;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const task of subdirectories(`/proc/${pid}/task`)) {
    try {
      for (const c of fs.readFileSync(path.join(task, 'children'), 'utf8').split(' ')) if (/^\d+$/.test(c)) children.push(Number(c));
    } catch {
      // the task ended
    }
  }
  return children;
}

/** SIGKILL to every process in `dirs` and to `pids` until none is left; false if some survive `timeoutMs`. */
async function killAll(dirs: string[], pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = [...processesIn(dirs), ...pids.filter(isAlive)];
    if (alive.length === 0) return true;
    if (Date.now() >= deadline) return false;
    thaw(dirs);
    for (const pid of alive) signal(pid, 'SIGKILL');
    await sleep(50);
  }
}

/** Waits until `pids` have exited; the ones still alive after `timeoutMs`. */
async function exited(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  return pids.filter(isAlive);
}

/** rmdir of a cgroup, retried while it is busy (exiting processes are still being released); why it failed. */
async function removeGroup(dir: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.rmdirSync(dir);
      return undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code !== 'EBUSY' || Date.now() >= deadline) return code ?? (err as Error).message;
    }
    await sleep(50);
  }
}

export interface LeftoverCleanup {
  /** Containers that still had processes. */
  killed: string[];
  problems: string[];
}

/** Ends the named containers of the lxcpaths `lxcPaths` (those that still have processes) and removes their cgroups. */
export async function endLeftoverContainers(names: Iterable<string>, lxcPaths: string[]): Promise<LeftoverCleanup> {
  const result: LeftoverCleanup = { killed: [], problems: [] };
  for (const name of names) {
    const groups = cgroupsOf(name);
    const monitors = monitorsOf(name, lxcPaths);
    const inits = monitors.flatMap(childrenOf);
    if (monitors.length > 0 || processesIn([...groups.payload, ...groups.monitor]).length > 0) result.killed.push(name);
    if (!(await killAll(groups.payload, inits, 10_000))) result.problems.push(`${name}: container processes still alive (${groups.payload.join(', ') || `init ${inits.join(', ')}`})`);
    // A monitor exits once its container is gone; one that does not is killed.
    if (!(await killAll(groups.monitor, await exited(monitors, 5_000), 5_000))) result.problems.push(`${name}: its LXC monitor is still alive`);
    for (const dir of [...groups.payload, ...groups.monitor].flatMap(tree)) {
      const why = await removeGroup(dir, 2_000);
      if (why) result.problems.push(`${dir}: ${why}`);
    }
  }
  return result;
}
