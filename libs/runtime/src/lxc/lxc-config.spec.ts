import { CgroupSetting } from '../cgroup/cgroup-settings';
import { LxcConfigInput, renderLxcConfig } from './lxc-config';
import { resolveNics } from './nic-devices';

const base: LxcConfigInput = {
  hostname: 'c1',
  rootfs: { kind: 'overlay', lowerPath: '/pool/images/abc/rootfs', upperPath: '/pool/containers/c1/upper' },
  idmap: null,
  haltSignal: 'SIGUSR1',
  nics: [],
  cgroupSettings: [],
  devicesCgroupVersion: 1,
  consoleLogPath: '/lxc/c1/console.log',
  apparmorProfile: 'unconfined',
};

function counter() {
  let n = 0;
  return (size: number) => Buffer.alloc(size, ++n);
}

function config(input: Partial<LxcConfigInput>): string[] {
  return renderLxcConfig({ ...base, ...input }).trimEnd().split('\n');
}

describe('renderLxcConfig', () => {
  it('writes a privileged overlay container with everything set explicitly', () => {
    expect(config({})).toEqual([
      'lxc.uts.name = c1',
      'lxc.rootfs.path = overlay:/pool/images/abc/rootfs:/pool/containers/c1/upper',
      'lxc.cap.drop = mac_admin mac_override sys_module sys_rawio sys_time',
      'lxc.apparmor.profile = unconfined',
      'lxc.init.cmd = /sbin/init',
      'lxc.signal.halt = SIGUSR1',
      'lxc.autodev = 1',
      'lxc.tty.max = 0',
      'lxc.pty.max = 1024',
      'lxc.mount.auto = cgroup:mixed proc:mixed sys:ro',
      'lxc.console.logfile = /lxc/c1/console.log',
      'lxc.net.0.type = empty',
      'lxc.cgroup.devices.deny = a',
      'lxc.cgroup.devices.allow = c *:* m',
      'lxc.cgroup.devices.allow = b *:* m',
      'lxc.cgroup.devices.allow = c 1:3 rwm',
      'lxc.cgroup.devices.allow = c 1:5 rwm',
      'lxc.cgroup.devices.allow = c 1:7 rwm',
      'lxc.cgroup.devices.allow = c 1:8 rwm',
      'lxc.cgroup.devices.allow = c 1:9 rwm',
      'lxc.cgroup.devices.allow = c 5:0 rwm',
      'lxc.cgroup.devices.allow = c 5:1 rwm',
      'lxc.cgroup.devices.allow = c 5:2 rwm',
      'lxc.cgroup.devices.allow = c 136:* rwm',
      'lxc.cgroup.devices.allow = c 10:229 rwm',
      'lxc.cgroup.devices.allow = c 10:200 rwm',
    ]);
  });

  it('writes an unprivileged container on an idmapped directory', () => {
    const lines = config({
      rootfs: { kind: 'dir', path: '/pool/containers/c1/rootfs', idmapped: true },
      idmap: { hostUid: 1000000, hostGid: 1000000, size: 65536 },
      haltSignal: 'SIGRTMIN+3',
      devicesCgroupVersion: 2,
    });
    expect(lines).toContain('lxc.rootfs.path = dir:/pool/containers/c1/rootfs');
    expect(lines).toContain('lxc.rootfs.options = idmap=container');
    expect(lines).toContain('lxc.idmap = u 0 1000000 65536');
    expect(lines).toContain('lxc.idmap = g 0 1000000 65536');
    expect(lines).toContain('lxc.signal.halt = SIGRTMIN+3');
    expect(lines).toContain('lxc.cgroup2.devices.deny = a');
    expect(lines.some((line) => line.startsWith('lxc.cap.drop'))).toBe(false);
  });

  it('writes veth NICs into bridges with host name, MTU, MAC, address with broadcast, and gateway', () => {
    const nics = resolveNics(
      [
        { name: 'eth0', bridge: 'cubedfan0', hostName: 'vethfan1', mtu: 1450, hwaddr: '00:16:3E:AA:BB:CC', ipv4: { address: '240.0.46.20', prefixLength: 8, gateway: '240.0.46.1' } },
        { name: 'eth1', bridge: 'br1', ipv4: { address: '10.0.0.5', prefixLength: 24, broadcast: '10.0.0.255' } },
      ],
      (size) => Buffer.alloc(size, 0x11),
    );
    const lines = config({ nics });
    expect(lines.filter((line) => line.startsWith('lxc.net.'))).toEqual([
      'lxc.net.0.type = veth',
      'lxc.net.0.link = cubedfan0',
      'lxc.net.0.name = eth0',
      'lxc.net.0.veth.pair = vethfan1',
      'lxc.net.0.hwaddr = 00:16:3e:aa:bb:cc',
      'lxc.net.0.mtu = 1450',
      'lxc.net.0.flags = up',
      'lxc.net.0.ipv4.address = 240.0.46.20/8 240.255.255.255',
      'lxc.net.0.ipv4.gateway = 240.0.46.1',
      'lxc.net.1.type = veth',
      'lxc.net.1.link = br1',
      'lxc.net.1.name = eth1',
      'lxc.net.1.veth.pair = veth11111111',
      'lxc.net.1.hwaddr = 00:16:3e:11:11:11',
      'lxc.net.1.flags = up',
      'lxc.net.1.ipv4.address = 10.0.0.5/24 10.0.0.255',
    ]);
  });

  it('appends the cgroup limits with the key family of each setting', () => {
    const settings: CgroupSetting[] = [
      { controller: 'memory', version: 1, file: 'memory.limit_in_bytes', value: '67108864' },
      { controller: 'pids', version: 2, file: 'pids.max', value: '50' },
    ];
    expect(config({ cgroupSettings: settings }).slice(-2)).toEqual(['lxc.cgroup.memory.limit_in_bytes = 67108864', 'lxc.cgroup2.pids.max = 50']);
  });

  it('refuses values that would break the file or the container', () => {
    expect(() => config({ hostname: 'c1\nlxc.init.cmd = /bin/evil' })).toThrow(/contains a line break/);
    expect(() => config({ haltSignal: 'KILL' })).toThrow(/Invalid halt signal/);
    const nics = resolveNics(
      [
        { name: 'eth0', bridge: 'br0', ipv4: { address: '10.0.0.2', prefixLength: 24, gateway: '10.0.0.1' } },
        { name: 'eth1', bridge: 'br1', ipv4: { address: '10.0.1.2', prefixLength: 24, gateway: '10.0.1.1' } },
      ],
      counter(),
    );
    expect(() => config({ nics })).toThrow(/Only one NIC may have a default gateway/);
  });
});
