/**
 * Reading a container's limits and resource usage back from its cgroup files, for either cgroup version.
 */
import { AppliedLimits, MemoryState } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { formatCpuList, parseCpuList } from '../limits/cpu-limit';
import { KernelFiles } from '../process/kernel-files';
import { CgroupLayout, controllerLocation } from './cgroup-layout';
import { sharesForWeight } from './cgroup-settings';
import { CgroupDirectoryOf } from './instance-cgroups';

/** cgroup v1 reports "no limit" as the largest page-aligned 64-bit value; anything this large is unlimited. */
const V1_UNLIMITED_THRESHOLD = 2n ** 62n;

/** A limit value as a number, or null for "unlimited" (`max`, `-1` or the v1 huge value). */
export function parseLimitValue(text: string): number | null {
  const value = text.trim();
  if (value === 'max' || value === '-1') return null;
  if (!/^\d+$/.test(value)) throw new RuntimeError('Failed', `Unexpected cgroup value "${value}"`);
  const big = BigInt(value);
  if (big >= V1_UNLIMITED_THRESHOLD) return null;
  return Number(big);
}

export interface CgroupUsage {
  memory: MemoryState;
  cpuNs: number;
  processes: number;
}

class CgroupFileReader {
  constructor(
    private readonly files: KernelFiles,
    private readonly layout: CgroupLayout,
    private readonly dirOf: CgroupDirectoryOf,
  ) {}

  version(controller: string): 1 | 2 | null {
    return controllerLocation(this.layout, controller)?.version ?? null;
  }

  async text(controller: string, file: string): Promise<string | null> {
    const dir = this.dirOf(controller);
    return dir === null ? null : this.files.read(`${dir}/${file}`);
  }

  async number(controller: string, file: string): Promise<number | null> {
    const text = await this.text(controller, file);
    return text === null ? null : parseLimitValue(text);
  }

  async counter(controller: string, file: string): Promise<number> {
    return (await this.number(controller, file)) ?? 0;
  }

  async keyed(controller: string, file: string, key: string): Promise<number> {
    const text = await this.text(controller, file);
    const line = text?.split('\n').find((l) => l.startsWith(`${key} `));
    return line ? Number(line.slice(key.length + 1)) : 0;
  }
}

export async function readAppliedLimits(
  files: KernelFiles,
  layout: CgroupLayout,
  dirOf: CgroupDirectoryOf,
): Promise<AppliedLimits> {
  const reader = new CgroupFileReader(files, layout, dirOf);
  const limits: AppliedLimits = {
    memoryLimitBytes: null,
    memorySoftLimitBytes: null,
    memorySwapLimitBytes: null,
    cpuSet: '',
    cpuQuotaMicros: null,
    cpuPeriodMicros: 100_000,
    cpuShares: 1024,
    processesMax: null,
  };
  if (reader.version('memory') === 1) {
    limits.memoryLimitBytes = await reader.number('memory', 'memory.limit_in_bytes');
    limits.memorySoftLimitBytes = await reader.number('memory', 'memory.soft_limit_in_bytes');
    limits.memorySwapLimitBytes = layout.swapAccounting ? await reader.number('memory', 'memory.memsw.limit_in_bytes') : null;
  } else if (reader.version('memory') === 2) {
    limits.memoryLimitBytes = await reader.number('memory', 'memory.max');
    const low = await reader.number('memory', 'memory.low');
    limits.memorySoftLimitBytes = low === 0 ? null : low;
    limits.memorySwapLimitBytes = layout.swapAccounting ? await reader.number('memory', 'memory.swap.max') : null;
  }
  if (reader.version('cpuset') !== null) {
    const file = reader.version('cpuset') === 1 ? 'cpuset.cpus' : 'cpuset.cpus.effective';
    limits.cpuSet = formatCpuList(parseCpuList((await reader.text('cpuset', file)) ?? ''));
  }
  if (reader.version('cpu') === 1) {
    limits.cpuQuotaMicros = await reader.number('cpu', 'cpu.cfs_quota_us');
    limits.cpuPeriodMicros = (await reader.number('cpu', 'cpu.cfs_period_us')) ?? limits.cpuPeriodMicros;
    limits.cpuShares = (await reader.number('cpu', 'cpu.shares')) ?? limits.cpuShares;
  } else if (reader.version('cpu') === 2) {
    const max = ((await reader.text('cpu', 'cpu.max')) ?? 'max 100000').trim().split(/\s+/);
    limits.cpuQuotaMicros = parseLimitValue(max[0]);
    limits.cpuPeriodMicros = Number(max[1] ?? 100_000);
    const weight = await reader.number('cpu', 'cpu.weight');
    if (weight !== null) limits.cpuShares = sharesForWeight(weight);
  }
  if (reader.version('pids') !== null) limits.processesMax = await reader.number('pids', 'pids.max');
  return limits;
}

export async function readCgroupUsage(files: KernelFiles, layout: CgroupLayout, dirOf: CgroupDirectoryOf): Promise<CgroupUsage> {
  const reader = new CgroupFileReader(files, layout, dirOf);
  const memory: MemoryState = { usage: 0, usagePeak: 0, swapUsage: 0, swapUsagePeak: 0 };
  if (reader.version('memory') === 1) {
    memory.usage = await reader.counter('memory', 'memory.usage_in_bytes');
    memory.usagePeak = await reader.counter('memory', 'memory.max_usage_in_bytes');
    if (layout.swapAccounting) {
      memory.swapUsage = Math.max(0, (await reader.counter('memory', 'memory.memsw.usage_in_bytes')) - memory.usage);
      memory.swapUsagePeak = Math.max(0, (await reader.counter('memory', 'memory.memsw.max_usage_in_bytes')) - memory.usagePeak);
    }
  } else if (reader.version('memory') === 2) {
    memory.usage = await reader.counter('memory', 'memory.current');
    memory.usagePeak = await reader.counter('memory', 'memory.peak');
    if (layout.swapAccounting) {
      memory.swapUsage = await reader.counter('memory', 'memory.swap.current');
      memory.swapUsagePeak = await reader.counter('memory', 'memory.swap.peak');
    }
  }
  let cpuNs = 0;
  if (reader.version('cpuacct') === 1) cpuNs = await reader.counter('cpuacct', 'cpuacct.usage');
  else if (reader.version('cpu') === 2) cpuNs = (await reader.keyed('cpu', 'cpu.stat', 'usage_usec')) * 1000;
  let processes = 0;
  if (reader.version('pids') !== null) processes = await reader.counter('pids', 'pids.current');
  return { memory, cpuNs, processes };
}
