/**
 * Translation of typed instance limits into cgroup files and values for the host's layout: the same
 * settings become `lxc.cgroup.<file>` / `lxc.cgroup2.<file>` lines of a container config, direct writes
 * to a running container's cgroup, and the list of values to read back and verify.
 */
import { RuntimeError } from '../errors/runtime-error';
import { formatCpuList, selectCpus, sharesForPercent } from '../limits/cpu-limit';
import { InstanceLimits } from '../limits/instance-limits';
import { CgroupLayout, CgroupVersion, controllerLocation } from './cgroup-layout';

export interface CgroupSetting {
  controller: string;
  version: CgroupVersion;
  /** Control file name, e.g. `memory.limit_in_bytes`. */
  file: string;
  value: string;
}

export interface CgroupSettingsOptions {
  /**
   * Also produce the values that lift limits which are not set (unlimited memory, all host CPUs...).
   * Needed when changing the limits of a running container; a new container starts with them anyway.
   */
  includeDefaults: boolean;
}

const V1_UNLIMITED = '-1';
const DEFAULT_CFS_PERIOD_MICROS = 100_000;
const DEFAULT_CPU_SHARES = 1024;

/**
 * cgroup v2 `cpu.weight` for a v1 `cpu.shares` value, in the kernel's own proportion (the default
 * weight 100 is the default 1024 shares), within v2's range 1–10000.
 */
export function weightForShares(shares: number): number {
  return Math.min(10000, Math.max(1, Math.round((shares * 100) / 1024)));
}

/** The inverse of `weightForShares`, for reading a v2 weight back as shares. */
export function sharesForWeight(weight: number): number {
  return Math.round((weight * 1024) / 100);
}

class SettingsBuilder {
  readonly settings: CgroupSetting[] = [];

  constructor(private readonly layout: CgroupLayout) {}

  version(controller: string, limitName: string): CgroupVersion {
    const location = controllerLocation(this.layout, controller);
    if (!location) {
      throw new RuntimeError('InvalidArgument', `${limitName} needs the "${controller}" cgroup controller, which this host does not provide`);
    }
    return location.version;
  }

  add(controller: string, version: CgroupVersion, file: string, value: string | number): void {
    this.settings.push({ controller, version, file, value: String(value) });
  }
}

export function cgroupSettings(
  limits: InstanceLimits,
  layout: CgroupLayout,
  hostCpus: readonly number[],
  options: CgroupSettingsOptions,
): CgroupSetting[] {
  const builder = new SettingsBuilder(layout);
  const defaults = options.includeDefaults;

  if (limits.memory || defaults) {
    const version = builder.version('memory', 'limits.memory');
    const memory = limits.memory;
    const hard = memory && memory.enforce === 'hard' ? memory.bytes : null;
    const soft = memory && memory.enforce === 'soft' ? memory.bytes : null;
    const noSwap = memory !== undefined && !memory.swap;
    if (noSwap && !layout.swapAccounting) {
      throw new RuntimeError('InvalidArgument', 'limits.memory.swap=false needs swap accounting, which this host\'s kernel does not provide');
    }
    if (version === 1) {
      if (hard !== null || defaults) builder.add('memory', 1, 'memory.limit_in_bytes', hard ?? V1_UNLIMITED);
      if (layout.swapAccounting && ((noSwap && hard !== null) || defaults)) {
        builder.add('memory', 1, 'memory.memsw.limit_in_bytes', noSwap && hard !== null ? hard : V1_UNLIMITED);
      }
      if (soft !== null || defaults) builder.add('memory', 1, 'memory.soft_limit_in_bytes', soft ?? V1_UNLIMITED);
    } else {
      if (hard !== null || defaults) builder.add('memory', 2, 'memory.max', hard ?? 'max');
      if (layout.swapAccounting && (noSwap || defaults)) builder.add('memory', 2, 'memory.swap.max', noSwap ? 0 : 'max');
      if (soft !== null || defaults) builder.add('memory', 2, 'memory.low', soft ?? 0);
    }
  }

  if (limits.cpu || defaults) {
    const version = builder.version('cpuset', 'limits.cpu');
    const cpus = limits.cpu ? selectCpus(limits.cpu, hostCpus) : [...hostCpus];
    builder.add('cpuset', version, 'cpuset.cpus', formatCpuList(cpus));
  }

  const allowance = limits.cpuAllowance;
  if (allowance || defaults) {
    const version = builder.version('cpu', 'limits.cpu.allowance');
    const shares = allowance?.kind === 'share' ? sharesForPercent(allowance.percent) : null;
    const quota = allowance?.kind === 'quota' ? allowance : null;
    if (version === 1) {
      if (shares !== null || defaults) builder.add('cpu', 1, 'cpu.shares', shares ?? DEFAULT_CPU_SHARES);
      if (quota !== null || defaults) {
        builder.add('cpu', 1, 'cpu.cfs_period_us', quota?.periodMicros ?? DEFAULT_CFS_PERIOD_MICROS);
        builder.add('cpu', 1, 'cpu.cfs_quota_us', quota?.quotaMicros ?? V1_UNLIMITED);
      }
    } else {
      if (shares !== null || defaults) builder.add('cpu', 2, 'cpu.weight', weightForShares(shares ?? DEFAULT_CPU_SHARES));
      if (quota !== null || defaults) {
        builder.add('cpu', 2, 'cpu.max', quota ? `${quota.quotaMicros} ${quota.periodMicros}` : `max ${DEFAULT_CFS_PERIOD_MICROS}`);
      }
    }
  }

  if (limits.processes !== undefined || defaults) {
    const version = builder.version('pids', 'limits.processes');
    builder.add('pids', version, 'pids.max', limits.processes ?? 'max');
  }
  return builder.settings;
}

/** The config line LXC needs for a setting. */
export function lxcConfigKey(setting: CgroupSetting): string {
  return `${setting.version === 1 ? 'lxc.cgroup' : 'lxc.cgroup2'}.${setting.file}`;
}
