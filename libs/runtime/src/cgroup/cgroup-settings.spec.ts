import { parseInstanceLimits } from '../limits/instance-limits';
import { MemoryKernelFiles } from '../testing/memory-kernel-files';
import { CgroupLayout, detectCgroupLayout } from './cgroup-layout';
import { HYBRID_MOUNTS, V2_MOUNTS } from '../testing/cgroup-fixtures';
import { cgroupSettings, lxcConfigKey, sharesForWeight, weightForShares } from './cgroup-settings';

const host = 8 * 1024 ** 3;

async function hybrid(swap = true): Promise<CgroupLayout> {
  const files = new MemoryKernelFiles({ '/sys/fs/cgroup/unified/cgroup.controllers': '' });
  if (swap) files.setFile('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes', '0');
  return detectCgroupLayout(HYBRID_MOUNTS, files);
}

async function unified(): Promise<CgroupLayout> {
  const files = new MemoryKernelFiles({
    '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory pids',
    '/sys/fs/cgroup/init.scope/memory.swap.max': 'max',
  });
  return detectCgroupLayout(V2_MOUNTS, files);
}

function lines(layout: CgroupLayout, config: Record<string, string>, includeDefaults = false): string[] {
  return cgroupSettings(parseInstanceLimits(config, host), layout, [0, 1, 2, 3], { includeDefaults }).map(
    (setting) => `${lxcConfigKey(setting)} = ${setting.value}`,
  );
}

describe('cgroupSettings', () => {
  it('writes cgroup v1 keys on a hybrid host', async () => {
    expect(
      lines(await hybrid(), {
        'limits.memory': '64MiB',
        'limits.memory.swap': 'false',
        'limits.cpu': '2',
        'limits.cpu.allowance': '50ms/100ms',
        'limits.processes': '64',
      }),
    ).toEqual([
      'lxc.cgroup.memory.limit_in_bytes = 67108864',
      'lxc.cgroup.memory.memsw.limit_in_bytes = 67108864',
      'lxc.cgroup.cpuset.cpus = 0-1',
      'lxc.cgroup.cpu.cfs_period_us = 100000',
      'lxc.cgroup.cpu.cfs_quota_us = 50000',
      'lxc.cgroup.pids.max = 64',
    ]);
  });

  it('writes cgroup v2 keys on a unified host', async () => {
    expect(
      lines(await unified(), {
        'limits.memory': '1GB',
        'limits.memory.swap': 'false',
        'limits.cpu': '1,3',
        'limits.cpu.allowance': '25%',
        'limits.processes': '10',
      }),
    ).toEqual([
      'lxc.cgroup2.memory.max = 1000000000',
      'lxc.cgroup2.memory.swap.max = 0',
      'lxc.cgroup2.cpuset.cpus = 1,3',
      'lxc.cgroup2.cpu.weight = 25',
      'lxc.cgroup2.pids.max = 10',
    ]);
  });

  it('maps soft memory enforcement and percentage allowances to the soft knobs', async () => {
    expect(lines(await hybrid(), { 'limits.memory': '1GiB', 'limits.memory.enforce': 'soft', 'limits.cpu.allowance': '50%' })).toEqual([
      'lxc.cgroup.memory.soft_limit_in_bytes = 1073741824',
      'lxc.cgroup.cpu.shares = 512',
    ]);
    expect(lines(await unified(), { 'limits.memory': '1GiB', 'limits.memory.enforce': 'soft' })).toEqual(['lxc.cgroup2.memory.low = 1073741824']);
  });

  it('writes nothing for an instance without limits, and the lifting values when asked to', async () => {
    expect(lines(await hybrid(), {})).toEqual([]);
    expect(lines(await hybrid(), {}, true)).toEqual([
      'lxc.cgroup.memory.limit_in_bytes = -1',
      'lxc.cgroup.memory.memsw.limit_in_bytes = -1',
      'lxc.cgroup.memory.soft_limit_in_bytes = -1',
      'lxc.cgroup.cpuset.cpus = 0-3',
      'lxc.cgroup.cpu.shares = 1024',
      'lxc.cgroup.cpu.cfs_period_us = 100000',
      'lxc.cgroup.cpu.cfs_quota_us = -1',
      'lxc.cgroup.pids.max = max',
    ]);
    expect(lines(await unified(), { 'limits.processes': '5' }, true)).toEqual([
      'lxc.cgroup2.memory.max = max',
      'lxc.cgroup2.memory.swap.max = max',
      'lxc.cgroup2.memory.low = 0',
      'lxc.cgroup2.cpuset.cpus = 0-3',
      'lxc.cgroup2.cpu.weight = 100',
      'lxc.cgroup2.cpu.max = max 100000',
      'lxc.cgroup2.pids.max = 5',
    ]);
  });

  it('refuses limits the host cannot enforce', async () => {
    await expect(async () => lines(await hybrid(false), { 'limits.memory': '1GiB', 'limits.memory.swap': 'false' })).rejects.toThrow(
      /swap accounting/,
    );
    const noPids = await detectCgroupLayout('cgroup /cg/memory cgroup rw,memory 0 0\n', new MemoryKernelFiles());
    await expect(async () => lines(noPids, { 'limits.processes': '5' })).rejects.toThrow(/needs the "pids" cgroup controller/);
    await expect(async () => lines(await hybrid(), { 'limits.cpu': '8' })).rejects.toThrow(/asks for 8 CPUs/);
  });

  it('converts between v1 shares and v2 weights', () => {
    expect(weightForShares(1024)).toBe(100);
    expect(weightForShares(512)).toBe(50);
    expect(weightForShares(2)).toBe(1);
    expect(weightForShares(262144)).toBe(10000);
    expect(sharesForWeight(100)).toBe(1024);
    expect(sharesForWeight(weightForShares(256))).toBe(256);
  });
});
