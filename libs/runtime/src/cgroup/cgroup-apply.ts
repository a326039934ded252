/**
 * Writing limits into a running container's cgroups, and checking what the kernel actually applied.
 * Verification matters because LXC accepts limits it then ignores (a key of the wrong cgroup family is
 * only a warning in its log), and the kernel rounds memory limits down to whole pages.
 */
import { RuntimeError } from '../errors/runtime-error';
import { parseCpuList } from '../limits/cpu-limit';
import { KernelFiles } from '../process/kernel-files';
import { CgroupSetting } from './cgroup-settings';
import { parseLimitValue } from './cgroup-reader';
import { CgroupDirectoryOf } from './instance-cgroups';

/** Memory limits are rounded down to the page size; allow for pages of up to 64 KiB. */
const MEMORY_ROUNDING_BYTES = 65_536;

const MEMORY_FILES = new Set([
  'memory.limit_in_bytes',
  'memory.memsw.limit_in_bytes',
  'memory.soft_limit_in_bytes',
  'memory.max',
  'memory.swap.max',
  'memory.low',
]);

function settingPath(setting: CgroupSetting, dirOf: CgroupDirectoryOf): string {
  const dir = dirOf(setting.controller);
  if (dir === null) {
    throw new RuntimeError('Failed', `The container has no cgroup for the "${setting.controller}" controller`);
  }
  return `${dir}/${setting.file}`;
}

/**
 * Applies settings in an order the kernel accepts: on cgroup v1 the memory+swap limit may never be below
 * the memory limit, so it is lifted first and set last.
 */
export async function applyCgroupSettings(files: KernelFiles, settings: readonly CgroupSetting[], dirOf: CgroupDirectoryOf): Promise<void> {
  const writes: CgroupSetting[] = [];
  const memsw = settings.find((s) => s.file === 'memory.memsw.limit_in_bytes');
  if (memsw) writes.push({ ...memsw, value: '-1' });
  writes.push(...settings.filter((s) => s !== memsw));
  if (memsw) writes.push(memsw);
  for (const setting of writes) {
    const path = settingPath(setting, dirOf);
    try {
      await files.write(path, setting.value);
    } catch (error) {
      throw new RuntimeError('Failed', `Cannot set ${setting.file} to ${setting.value}`, (error as Error).message);
    }
  }
}

function matches(setting: CgroupSetting, actualText: string): boolean {
  const wanted = setting.value.trim();
  const actual = actualText.trim();
  if (setting.file === 'cpuset.cpus') {
    return parseCpuList(wanted).join(',') === parseCpuList(actual).join(',');
  }
  if (setting.file === 'cpu.max') {
    const [wantedQuota, wantedPeriod] = wanted.split(/\s+/);
    const [actualQuota, actualPeriod] = actual.split(/\s+/);
    return parseLimitValue(wantedQuota) === parseLimitValue(actualQuota) && Number(wantedPeriod) === Number(actualPeriod);
  }
  const wantedValue = parseLimitValue(wanted);
  const actualValue = parseLimitValue(actual);
  if (wantedValue === null || actualValue === null) return wantedValue === actualValue;
  if (MEMORY_FILES.has(setting.file)) {
    return actualValue <= wantedValue && wantedValue - actualValue < MEMORY_ROUNDING_BYTES;
  }
  return wantedValue === actualValue;
}

/** Descriptions of the settings the kernel does not show as applied (empty when all are). */
export async function findUnappliedSettings(
  files: KernelFiles,
  settings: readonly CgroupSetting[],
  dirOf: CgroupDirectoryOf,
): Promise<string[]> {
  const problems: string[] = [];
  for (const setting of settings) {
    const dir = dirOf(setting.controller);
    const actual = dir === null ? null : await files.read(`${dir}/${setting.file}`);
    if (actual === null) {
      problems.push(`${setting.file} is missing (wanted ${setting.value})`);
    } else if (!matches(setting, actual)) {
      problems.push(`${setting.file} is ${actual.trim()} (wanted ${setting.value})`);
    }
  }
  return problems;
}
