/**
 * The `limits.*` keys of an instance configuration, validated and typed. Unsupported `limits.*` keys are
 * refused rather than ignored: a limit that silently does nothing is worse than an error.
 */
import { RuntimeError } from '../errors/runtime-error';
import { CpuAllowance, CpuLimit, parseCpuAllowance, parseCpuLimit } from './cpu-limit';
import { parseMemoryLimit } from './memory-limit';

export interface MemoryLimits {
  bytes: number;
  /** `hard` (default) caps usage; `soft` only reclaims under host memory pressure. */
  enforce: 'hard' | 'soft';
  /** Whether the instance may use swap beyond `bytes` (default true). */
  swap: boolean;
}

export interface InstanceLimits {
  memory?: MemoryLimits;
  cpu?: CpuLimit;
  cpuAllowance?: CpuAllowance;
  processes?: number;
}

export const SUPPORTED_LIMIT_KEYS: readonly string[] = [
  'limits.cpu',
  'limits.cpu.allowance',
  'limits.memory',
  'limits.memory.enforce',
  'limits.memory.swap',
  'limits.processes',
];

/** The `limits.*` entries of a configuration with a value (an empty value means unset, as in LXD). */
export function limitEntries(config: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith('limits.') && value !== '') result[key] = value;
  }
  return result;
}

function parseBoolean(key: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new RuntimeError('InvalidArgument', `Invalid value "${value}" for ${key}: expected true or false`);
}

export function parseInstanceLimits(config: Readonly<Record<string, string>>, hostMemoryBytes: number): InstanceLimits {
  const entries = limitEntries(config);
  const unsupported = Object.keys(entries).filter((key) => !SUPPORTED_LIMIT_KEYS.includes(key));
  if (unsupported.length > 0) {
    throw new RuntimeError(
      'InvalidArgument',
      `Unsupported limit${unsupported.length > 1 ? 's' : ''} ${unsupported.map((k) => `"${k}"`).join(', ')} (supported: ${SUPPORTED_LIMIT_KEYS.join(', ')})`,
    );
  }
  const limits: InstanceLimits = {};
  const enforce = entries['limits.memory.enforce'] ?? 'hard';
  if (enforce !== 'hard' && enforce !== 'soft') {
    throw new RuntimeError('InvalidArgument', `Invalid value "${enforce}" for limits.memory.enforce: expected hard or soft`);
  }
  const swap = entries['limits.memory.swap'] === undefined ? true : parseBoolean('limits.memory.swap', entries['limits.memory.swap']);
  if (entries['limits.memory'] !== undefined) {
    limits.memory = { bytes: parseMemoryLimit(entries['limits.memory'], hostMemoryBytes), enforce, swap };
  }
  if (entries['limits.cpu'] !== undefined) limits.cpu = parseCpuLimit(entries['limits.cpu']);
  if (entries['limits.cpu.allowance'] !== undefined) limits.cpuAllowance = parseCpuAllowance(entries['limits.cpu.allowance']);
  if (entries['limits.processes'] !== undefined) {
    const value = entries['limits.processes'].trim();
    const processes = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(processes) || processes < 1) {
      throw new RuntimeError('InvalidArgument', `Invalid value "${entries['limits.processes']}" for limits.processes: expected a positive integer`);
    }
    limits.processes = processes;
  }
  return limits;
}
