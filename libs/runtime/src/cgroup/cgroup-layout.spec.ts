import { MemoryKernelFiles } from '../testing/memory-kernel-files';
import { HYBRID_MOUNTS, V2_MOUNTS } from '../testing/cgroup-fixtures';
import { controllerLocation, detectCgroupLayout } from './cgroup-layout';

describe('detectCgroupLayout', () => {
  it('puts every controller of a hybrid host on its v1 hierarchy', async () => {
    const files = new MemoryKernelFiles({
      '/sys/fs/cgroup/unified/cgroup.controllers': '\n',
      '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes': '9223372036854771712\n',
    });
    const layout = await detectCgroupLayout(HYBRID_MOUNTS, files);
    expect(controllerLocation(layout, 'memory')).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/memory' });
    expect(controllerLocation(layout, 'pids')).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/pids' });
    expect(controllerLocation(layout, 'cpuacct')).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/cpuacct' });
    expect(controllerLocation(layout, 'hugetlb')).toBeNull();
    expect(layout.mountPoints).toContain('/sys/fs/cgroup/systemd');
    expect(layout.mountPoints).toContain('/sys/fs/cgroup/unified');
    expect(layout.swapAccounting).toBe(true);
  });

  it('uses v2 for controllers the unified hierarchy offers', async () => {
    const files = new MemoryKernelFiles({
      '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n',
      '/sys/fs/cgroup/system.slice/memory.swap.max': 'max\n',
    });
    const layout = await detectCgroupLayout(V2_MOUNTS, files);
    expect(controllerLocation(layout, 'memory')).toEqual({ version: 2, mountPoint: '/sys/fs/cgroup' });
    expect(controllerLocation(layout, 'cpu')).toEqual({ version: 2, mountPoint: '/sys/fs/cgroup' });
    expect(controllerLocation(layout, 'freezer')).toBeNull();
    expect(layout.swapAccounting).toBe(true);
  });

  it('prefers a v1 binding and lets v2 provide only what v1 does not have', async () => {
    const mounts = 'cgroup /cg/memory cgroup rw,memory 0 0\ncgroup2 /cg/unified cgroup2 rw 0 0\n';
    const files = new MemoryKernelFiles({ '/cg/unified/cgroup.controllers': 'pids memory\n' });
    const layout = await detectCgroupLayout(mounts, files);
    expect(controllerLocation(layout, 'memory')?.version).toBe(1);
    expect(controllerLocation(layout, 'pids')?.version).toBe(2);
    expect(layout.swapAccounting).toBe(false);
  });

  it('handles co-mounted controllers and escaped mount points', async () => {
    const mounts = 'cgroup /sys/fs/cgroup/cpu\\054cpuacct cgroup rw,cpu,cpuacct 0 0\ncgroup /my\\040groups/pids cgroup rw,pids 0 0\n';
    const layout = await detectCgroupLayout(mounts, new MemoryKernelFiles());
    expect(controllerLocation(layout, 'cpu')?.mountPoint).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(controllerLocation(layout, 'cpuacct')?.mountPoint).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(controllerLocation(layout, 'pids')?.mountPoint).toBe('/my groups/pids');
    expect(layout.unified).toBeNull();
  });
});
