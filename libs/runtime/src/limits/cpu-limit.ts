/**
 * `limits.cpu` and `limits.cpu.allowance` as LXD reads them.
 *
 * `limits.cpu` is either a count (`2`: that many CPUs) or a set of CPU ids (`0-1,3`, `1-1` for CPU 1 alone).
 * `limits.cpu.allowance` is either a percentage (`50%`: a soft share of CPU time under contention) or a
 * hard quota (`25ms/100ms`: at most 25 ms of CPU time per 100 ms period).
 */
import { RuntimeError } from '../errors/runtime-error';

export type CpuLimit = { kind: 'count'; count: number } | { kind: 'set'; cpus: number[] };

export type CpuAllowance =
  | { kind: 'share'; percent: number }
  | { kind: 'quota'; quotaMicros: number; periodMicros: number };

const COUNT = /^\d+$/;
const LIST_ITEM = /^(\d+)(?:-(\d+))?$/;
const PERCENT = /^(\d+)%$/;
const QUOTA = /^(\d+)ms\/(\d+)ms$/;

/** Parses a CPU list like `0-1,3` (the kernel's cpuset format) into sorted unique CPU ids. */
export function parseCpuList(text: string, key = 'limits.cpu'): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const cpus = new Set<number>();
  for (const item of trimmed.split(',')) {
    const match = LIST_ITEM.exec(item.trim());
    if (!match) {
      throw new RuntimeError('InvalidArgument', `Invalid CPU list "${text}" for ${key}: expected ids and ranges like 0-1,3`);
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) {
      throw new RuntimeError('InvalidArgument', `Invalid CPU range "${item}" in ${key}: the range ends before it starts`);
    }
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Formats CPU ids the kernel's way: `[0,1,3]` becomes `0-1,3`. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseCpuLimit(value: string): CpuLimit {
  const trimmed = value.trim();
  if (COUNT.test(trimmed)) {
    const count = Number(trimmed);
    if (count < 1) throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for limits.cpu: the CPU count must be at least 1`);
    return { kind: 'count', count };
  }
  const cpus = parseCpuList(trimmed);
  if (cpus.length === 0) throw new RuntimeError('InvalidArgument', 'Invalid value "" for limits.cpu: expected a CPU count or a CPU list');
  return { kind: 'set', cpus };
}

/** The CPUs an instance runs on, chosen among the host's available CPUs. */
export function selectCpus(limit: CpuLimit, hostCpus: readonly number[]): number[] {
  if (limit.kind === 'count') {
    if (limit.count > hostCpus.length) {
      throw new RuntimeError(
        'InvalidArgument',
        `limits.cpu asks for ${limit.count} CPUs but the host has ${hostCpus.length} (${formatCpuList(hostCpus)})`,
      );
    }
    return hostCpus.slice(0, limit.count);
  }
  const available = new Set(hostCpus);
  const missing = limit.cpus.filter((cpu) => !available.has(cpu));
  if (missing.length > 0) {
    throw new RuntimeError(
      'InvalidArgument',
      `limits.cpu names CPUs the host does not have: ${formatCpuList(missing)} (available: ${formatCpuList(hostCpus)})`,
    );
  }
  return [...limit.cpus];
}

export function parseCpuAllowance(value: string): CpuAllowance {
  const trimmed = value.trim();
  const percent = PERCENT.exec(trimmed);
  if (percent) {
    const share = Number(percent[1]);
    if (share < 1 || share > 100) {
      throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for limits.cpu.allowance: a percentage must be between 1% and 100%`);
    }
    return { kind: 'share', percent: share };
  }
  const quota = QUOTA.exec(trimmed);
  if (quota) {
    const quotaMicros = Number(quota[1]) * 1000;
    const periodMicros = Number(quota[2]) * 1000;
    if (periodMicros < 1000 || periodMicros > 1_000_000) {
      throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for limits.cpu.allowance: the period must be between 1ms and 1000ms`);
    }
    if (quotaMicros < 1000) {
      throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for limits.cpu.allowance: the quota must be at least 1ms`);
    }
    return { kind: 'quota', quotaMicros, periodMicros };
  }
  throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for limits.cpu.allowance: expected a percentage (50%) or a quota (25ms/100ms)`);
}

/** cgroup v1 `cpu.shares` for a percentage allowance (1024 is the kernel's default weight). */
export function sharesForPercent(percent: number): number {
  return Math.max(2, Math.round((1024 * percent) / 100));
}
