import { MemoryKernelFiles } from '../testing/memory-kernel-files';
import { applyCgroupSettings, findUnappliedSettings } from './cgroup-apply';
import { CgroupSetting } from './cgroup-settings';
import { CgroupDirectoryOf } from './instance-cgroups';

const dirOf: CgroupDirectoryOf = (controller) => (controller === 'freezer' ? null : `/cg/${controller}/lxc.payload.c1`);

const settings: CgroupSetting[] = [
  { controller: 'memory', version: 1, file: 'memory.limit_in_bytes', value: '100000000' },
  { controller: 'memory', version: 1, file: 'memory.memsw.limit_in_bytes', value: '100000000' },
  { controller: 'cpuset', version: 1, file: 'cpuset.cpus', value: '0-1' },
  { controller: 'cpu', version: 1, file: 'cpu.cfs_period_us', value: '100000' },
  { controller: 'cpu', version: 1, file: 'cpu.cfs_quota_us', value: '-1' },
  { controller: 'pids', version: 1, file: 'pids.max', value: 'max' },
];

describe('applyCgroupSettings', () => {
  it('lifts the v1 memory+swap limit first and sets it last', async () => {
    const files = new MemoryKernelFiles();
    await applyCgroupSettings(files, settings, dirOf);
    expect(files.writes.map((w) => `${w.path.replace('/cg/', '').replace('/lxc.payload.c1', '')}=${w.value}`)).toEqual([
      'memory/memory.memsw.limit_in_bytes=-1',
      'memory/memory.limit_in_bytes=100000000',
      'cpuset/cpuset.cpus=0-1',
      'cpu/cpu.cfs_period_us=100000',
      'cpu/cpu.cfs_quota_us=-1',
      'pids/pids.max=max',
      'memory/memory.memsw.limit_in_bytes=100000000',
    ]);
  });

  it('names the file and value the kernel refused', async () => {
    const files = new MemoryKernelFiles();
    files.failingWrites.set('/cg/pids/lxc.payload.c1/pids.max', 'EINVAL: invalid argument');
    await expect(applyCgroupSettings(files, settings, dirOf)).rejects.toThrow('Cannot set pids.max to max: EINVAL: invalid argument');
  });

  it('refuses to write to a controller the container has no cgroup for', async () => {
    const freezer: CgroupSetting = { controller: 'freezer', version: 1, file: 'freezer.state', value: 'THAWED' };
    await expect(applyCgroupSettings(new MemoryKernelFiles(), [freezer], dirOf)).rejects.toThrow(/no cgroup for the "freezer" controller/);
  });
});

describe('findUnappliedSettings', () => {
  function kernelShowing(values: Record<string, string>): MemoryKernelFiles {
    const files = new MemoryKernelFiles();
    for (const [file, value] of Object.entries(values)) files.setFile(`/cg/${file.split('.')[0]}/lxc.payload.c1/${file}`, value);
    return files;
  }

  it('accepts what the kernel shows after its own normalization', async () => {
    const files = kernelShowing({
      'memory.limit_in_bytes': '99999744\n',
      'memory.memsw.limit_in_bytes': '99999744\n',
      'cpuset.cpus': '0,1\n',
      'cpu.cfs_period_us': '100000\n',
      'cpu.cfs_quota_us': '-1\n',
      'pids.max': 'max\n',
    });
    expect(await findUnappliedSettings(files, settings, dirOf)).toEqual([]);
  });

  it('reports ignored, changed and missing settings', async () => {
    const files = kernelShowing({
      'memory.limit_in_bytes': '9223372036854771712\n',
      'cpuset.cpus': '0\n',
      'cpu.cfs_period_us': '100000\n',
      'cpu.cfs_quota_us': '50000\n',
      'pids.max': '64\n',
    });
    expect(await findUnappliedSettings(files, settings, dirOf)).toEqual([
      'memory.limit_in_bytes is 9223372036854771712 (wanted 100000000)',
      'memory.memsw.limit_in_bytes is missing (wanted 100000000)',
      'cpuset.cpus is 0 (wanted 0-1)',
      'cpu.cfs_quota_us is 50000 (wanted -1)',
      'pids.max is 64 (wanted max)',
    ]);
  });

  it('compares cgroup v2 cpu.max by value', async () => {
    const setting: CgroupSetting = { controller: 'cpu', version: 2, file: 'cpu.max', value: '50000 100000' };
    const v2 = (controller: string) => (controller === 'cpu' ? '/cg2/lxc.payload.c1' : null);
    const files = new MemoryKernelFiles({ '/cg2/lxc.payload.c1/cpu.max': '50000 100000\n' });
    expect(await findUnappliedSettings(files, [setting], v2)).toEqual([]);
    files.setFile('/cg2/lxc.payload.c1/cpu.max', 'max 100000\n');
    expect(await findUnappliedSettings(files, [setting], v2)).toEqual(['cpu.max is max 100000 (wanted 50000 100000)']);
  });
});
