/**
 * Removal of the cgroup directories LXC leaves behind when a start fails (`lxc.monitor.<name>`,
 * `lxc.payload.<name>`) in every hierarchy. Only the exact names are touched: LXC's `-<n>` fallback names
 * could belong to another instance whose name ends in `-<n>`.
 * Sub-groups are removed before their parents; cgroup directories cannot be emptied, only rmdir'ed.
 */
import { KernelFiles } from '../process/kernel-files';
import { CgroupLayout } from './cgroup-layout';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function removeTree(files: KernelFiles, dir: string, failures: string[]): Promise<void> {
  for (const child of await files.listDirectories(dir)) await removeTree(files, `${dir}/${child}`, failures);
  try {
    await files.removeDirectory(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') failures.push(`${dir} (${code ?? (error as Error).message})`);
  }
}

/** Removes the instance's leftover cgroups; returns the directories that could not be removed. */
export async function removeStrayCgroups(files: KernelFiles, layout: CgroupLayout, instanceName: string): Promise<string[]> {
  const pattern = new RegExp(`^lxc\\.(monitor|payload)\\.${escapeRegExp(instanceName)}$`);
  const failures: string[] = [];
  for (const mountPoint of layout.mountPoints) {
    for (const entry of await files.listDirectories(mountPoint)) {
      if (pattern.test(entry)) await removeTree(files, `${mountPoint}/${entry}`, failures);
    }
  }
  return failures;
}

/** The instance's cgroup directories that exist (for checks after cleanup). */
export async function listInstanceCgroups(files: KernelFiles, layout: CgroupLayout, instanceName: string): Promise<string[]> {
  const pattern = new RegExp(`^lxc\\.(monitor|payload)\\.${escapeRegExp(instanceName)}$`);
  const found: string[] = [];
  for (const mountPoint of layout.mountPoints) {
    for (const entry of await files.listDirectories(mountPoint)) {
      if (pattern.test(entry)) found.push(`${mountPoint}/${entry}`);
    }
  }
  return found;
}
