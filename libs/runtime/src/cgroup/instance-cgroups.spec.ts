import { MemoryKernelFiles } from '../testing/memory-kernel-files';
import { detectCgroupLayout } from './cgroup-layout';
import { HYBRID_MOUNTS } from '../testing/cgroup-fixtures';
import { namedCgroupDirectories, parseProcessCgroups, processCgroupDirectories } from './instance-cgroups';
import { listInstanceCgroups, removeStrayCgroups } from './stray-cgroups';

describe('container cgroup directories', () => {
  it('parses /proc/<pid>/cgroup with co-mounted and unified entries', () => {
    const parsed = parseProcessCgroups('9:name=systemd:/lxc.payload.c1\n4:cpu,cpuacct:/lxc.payload.c1-1\n0::/lxc.payload.c1\n');
    expect(parsed.v1.get('cpu')).toBe('/lxc.payload.c1-1');
    expect(parsed.v1.get('cpuacct')).toBe('/lxc.payload.c1-1');
    expect(parsed.v1.get('name=systemd')).toBe('/lxc.payload.c1');
    expect(parsed.unified).toBe('/lxc.payload.c1');
  });

  it('locates the cgroups of a running container through its init process', async () => {
    const files = new MemoryKernelFiles({ '/proc/4242/cgroup': '8:pids:/lxc.payload.web-1\n4:memory:/lxc.payload.web-1\n0::/lxc.payload.web-1\n' });
    const layout = await detectCgroupLayout(HYBRID_MOUNTS, files);
    const dirs = await processCgroupDirectories(files, layout, 4242);
    expect(dirs?.('memory')).toBe('/sys/fs/cgroup/memory/lxc.payload.web-1');
    expect(dirs?.('pids')).toBe('/sys/fs/cgroup/pids/lxc.payload.web-1');
    expect(dirs?.('cpu')).toBeNull();
    expect(dirs?.('rdma')).toBeNull();
    expect(await processCgroupDirectories(files, layout, 4243)).toBeNull();
    expect(namedCgroupDirectories(layout, 'web')('memory')).toBe('/sys/fs/cgroup/memory/lxc.payload.web');
  });
});

describe('removeStrayCgroups', () => {
  it('removes monitor and payload groups in every hierarchy, children first, and only for the exact name', async () => {
    const files = new MemoryKernelFiles();
    for (const hierarchy of ['memory', 'pids', 'systemd', 'unified']) {
      files.addDirectory(`/sys/fs/cgroup/${hierarchy}/lxc.monitor.web`);
      files.addDirectory(`/sys/fs/cgroup/${hierarchy}/lxc.payload.web/init.scope`);
      files.addDirectory(`/sys/fs/cgroup/${hierarchy}/lxc.payload.web-1`);
      files.addDirectory(`/sys/fs/cgroup/${hierarchy}/lxc.pivot`);
    }
    const layout = await detectCgroupLayout(HYBRID_MOUNTS, files);
    expect(await listInstanceCgroups(files, layout, 'web')).toHaveLength(8);
    expect(await removeStrayCgroups(files, layout, 'web')).toEqual([]);
    expect(await listInstanceCgroups(files, layout, 'web')).toEqual([]);
    expect(await files.exists('/sys/fs/cgroup/memory/lxc.payload.web-1')).toBe(true);
    expect(await files.exists('/sys/fs/cgroup/memory/lxc.pivot')).toBe(true);
  });

  it('reports the groups it could not remove', async () => {
    const files = new MemoryKernelFiles();
    files.addDirectory('/sys/fs/cgroup/memory/lxc.payload.db');
    files.busyDirectories.add('/sys/fs/cgroup/memory/lxc.payload.db');
    const layout = await detectCgroupLayout(HYBRID_MOUNTS, files);
    expect(await removeStrayCgroups(files, layout, 'db')).toEqual(['/sys/fs/cgroup/memory/lxc.payload.db (EBUSY)']);
  });
});
