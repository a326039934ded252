import { MemoryKernelFiles } from '../testing/memory-kernel-files';
import { detectCgroupLayout } from './cgroup-layout';
import { HYBRID_MOUNTS, V2_MOUNTS } from '../testing/cgroup-fixtures';
import { parseLimitValue, readAppliedLimits, readCgroupUsage } from './cgroup-reader';
import { namedCgroupDirectories } from './instance-cgroups';

describe('parseLimitValue', () => {
  it('reads numbers and the spellings of "unlimited"', () => {
    expect(parseLimitValue('67108864\n')).toBe(67108864);
    expect(parseLimitValue('max')).toBeNull();
    expect(parseLimitValue('-1')).toBeNull();
    expect(parseLimitValue('9223372036854771712')).toBeNull();
    expect(() => parseLimitValue('lots')).toThrow(/Unexpected cgroup value/);
  });
});

describe('reading a v1 container cgroup', () => {
  async function setup() {
    const files = new MemoryKernelFiles({ '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes': '0' });
    const layout = await detectCgroupLayout(HYBRID_MOUNTS, files);
    const at = (controller: string, file: string, value: string) => files.setFile(`/sys/fs/cgroup/${controller}/lxc.payload.c1/${file}`, value);
    at('memory', 'memory.limit_in_bytes', '67108864\n');
    at('memory', 'memory.soft_limit_in_bytes', '9223372036854771712\n');
    at('memory', 'memory.memsw.limit_in_bytes', '67108864\n');
    at('memory', 'memory.usage_in_bytes', '421888\n');
    at('memory', 'memory.max_usage_in_bytes', '600000\n');
    at('memory', 'memory.memsw.usage_in_bytes', '430080\n');
    at('memory', 'memory.memsw.max_usage_in_bytes', '600000\n');
    at('cpuset', 'cpuset.cpus', '0-1\n');
    at('cpu', 'cpu.cfs_quota_us', '50000\n');
    at('cpu', 'cpu.cfs_period_us', '100000\n');
    at('cpu', 'cpu.shares', '512\n');
    at('cpuacct', 'cpuacct.usage', '4168493\n');
    at('pids', 'pids.max', '64\n');
    at('pids', 'pids.current', '3\n');
    return { files, layout, dirs: namedCgroupDirectories(layout, 'c1') };
  }

  it('reads the applied limits', async () => {
    const { files, layout, dirs } = await setup();
    expect(await readAppliedLimits(files, layout, dirs)).toEqual({
      memoryLimitBytes: 67108864,
      memorySoftLimitBytes: null,
      memorySwapLimitBytes: 67108864,
      cpuSet: '0-1',
      cpuQuotaMicros: 50000,
      cpuPeriodMicros: 100000,
      cpuShares: 512,
      processesMax: 64,
    });
  });

  it('reads usage, with swap as memory+swap minus memory', async () => {
    const { files, layout, dirs } = await setup();
    expect(await readCgroupUsage(files, layout, dirs)).toEqual({
      memory: { usage: 421888, usagePeak: 600000, swapUsage: 8192, swapUsagePeak: 0 },
      cpuNs: 4168493,
      processes: 3,
    });
  });
});

describe('reading a v2 container cgroup', () => {
  it('reads limits and usage from the unified files', async () => {
    const files = new MemoryKernelFiles({
      '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory pids',
      '/sys/fs/cgroup/lxc.payload.c1/memory.swap.max': '0\n',
      '/sys/fs/cgroup/lxc.payload.c1/memory.max': '1073741824\n',
      '/sys/fs/cgroup/lxc.payload.c1/memory.low': '0\n',
      '/sys/fs/cgroup/lxc.payload.c1/memory.current': '2048\n',
      '/sys/fs/cgroup/lxc.payload.c1/memory.peak': '4096\n',
      '/sys/fs/cgroup/lxc.payload.c1/memory.swap.current': '0\n',
      '/sys/fs/cgroup/lxc.payload.c1/cpuset.cpus.effective': '1\n',
      '/sys/fs/cgroup/lxc.payload.c1/cpu.max': 'max 100000\n',
      '/sys/fs/cgroup/lxc.payload.c1/cpu.weight': '50\n',
      '/sys/fs/cgroup/lxc.payload.c1/cpu.stat': 'usage_usec 1500\nuser_usec 1000\n',
      '/sys/fs/cgroup/lxc.payload.c1/pids.max': 'max\n',
      '/sys/fs/cgroup/lxc.payload.c1/pids.current': '2\n',
    });
    const layout = await detectCgroupLayout(V2_MOUNTS, files);
    const dirs = namedCgroupDirectories(layout, 'c1');
    expect(await readAppliedLimits(files, layout, dirs)).toEqual({
      memoryLimitBytes: 1073741824,
      memorySoftLimitBytes: null,
      memorySwapLimitBytes: 0,
      cpuSet: '1',
      cpuQuotaMicros: null,
      cpuPeriodMicros: 100000,
      cpuShares: 512,
      processesMax: null,
    });
    expect(await readCgroupUsage(files, layout, dirs)).toEqual({
      memory: { usage: 2048, usagePeak: 4096, swapUsage: 0, swapUsagePeak: 0 },
      cpuNs: 1_500_000,
      processes: 2,
    });
  });
});
