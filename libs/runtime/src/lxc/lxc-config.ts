/**
 * The LXC container configuration Cubed writes for an instance (`<lxcpath>/<name>/config`). Nothing
 * comes from LXC's templates or system defaults (Debian's /etc/lxc/default.conf points at a bridge that
 * usually does not exist).
 */
import { IdmapInfo, ResolvedNicDevice } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { CgroupVersion } from '../cgroup/cgroup-layout';
import { CgroupSetting, lxcConfigKey } from '../cgroup/cgroup-settings';

export type LxcRootfs = { kind: 'overlay'; lowerPath: string; upperPath: string } | { kind: 'dir'; path: string; idmapped: boolean };

export interface LxcConfigInput {
  hostname: string;
  rootfs: LxcRootfs;
  /** null for a privileged container. */
  idmap: IdmapInfo | null;
  haltSignal: string;
  nics: readonly ResolvedNicDevice[];
  /** Limits, already translated for the host's cgroup layout. */
  cgroupSettings: readonly CgroupSetting[];
  /** cgroup version of the devices controller; null when the host has none. */
  devicesCgroupVersion: CgroupVersion | null;
  consoleLogPath: string;
  apparmorProfile: string;
}

/** Device nodes a container may use (LXD's default list); creating nodes (`m`) is allowed, using others is not. */
const DEVICE_ALLOW_RULES = [
  'c *:* m',
  'b *:* m',
  'c 1:3 rwm',
  'c 1:5 rwm',
  'c 1:7 rwm',
  'c 1:8 rwm',
  'c 1:9 rwm',
  'c 5:0 rwm',
  'c 5:1 rwm',
  'c 5:2 rwm',
  'c 136:* rwm',
  'c 10:229 rwm',
  'c 10:200 rwm',
];

/** Capabilities privileged containers do not get: loading modules, setting the clock, raw I/O, MAC policy. */
const DROPPED_CAPABILITIES = 'mac_admin mac_override sys_module sys_rawio sys_time';

const SIGNAL = /^SIG(?:[A-Z0-9]+|RTMIN\+\d+|RTMAX-\d+)$/;

class ConfigLines {
  readonly lines: string[] = [];

  add(key: string, value: string | number): void {
    const text = String(value);
    if (/[\n\r]/.test(text)) throw new RuntimeError('InvalidArgument', `Invalid value for ${key}: it contains a line break`);
    this.lines.push(`${key} = ${text}`);
  }
}

export function renderLxcConfig(input: LxcConfigInput): string {
  if (!SIGNAL.test(input.haltSignal)) throw new RuntimeError('InvalidArgument', `Invalid halt signal "${input.haltSignal}"`);
  if (input.nics.filter((nic) => nic.ipv4?.gateway !== undefined).length > 1) {
    throw new RuntimeError('InvalidArgument', 'Only one NIC may have a default gateway');
  }
  const config = new ConfigLines();
  config.add('lxc.uts.name', input.hostname);
  if (input.rootfs.kind === 'overlay') {
    config.add('lxc.rootfs.path', `overlay:${input.rootfs.lowerPath}:${input.rootfs.upperPath}`);
  } else {
    config.add('lxc.rootfs.path', `dir:${input.rootfs.path}`);
    if (input.rootfs.idmapped) config.add('lxc.rootfs.options', 'idmap=container');
  }
  if (input.idmap) {
    config.add('lxc.idmap', `u 0 ${input.idmap.hostUid} ${input.idmap.size}`);
    config.add('lxc.idmap', `g 0 ${input.idmap.hostGid} ${input.idmap.size}`);
  } else {
    config.add('lxc.cap.drop', DROPPED_CAPABILITIES);
  }
  config.add('lxc.apparmor.profile', input.apparmorProfile);
  config.add('lxc.init.cmd', '/sbin/init');
  config.add('lxc.signal.halt', input.haltSignal);
  config.add('lxc.autodev', 1);
  config.add('lxc.tty.max', 0);
  config.add('lxc.pty.max', 1024);
  config.add('lxc.mount.auto', 'cgroup:mixed proc:mixed sys:ro');
  config.add('lxc.console.logfile', input.consoleLogPath);

  if (input.nics.length === 0) {
    config.add('lxc.net.0.type', 'empty');
  }
  input.nics.forEach((nic, index) => {
    const key = `lxc.net.${index}`;
    config.add(`${key}.type`, 'veth');
    config.add(`${key}.link`, nic.bridge);
    config.add(`${key}.name`, nic.name);
    config.add(`${key}.veth.pair`, nic.hostName);
    config.add(`${key}.hwaddr`, nic.hwaddr);
    if (nic.mtu !== undefined) config.add(`${key}.mtu`, nic.mtu);
    config.add(`${key}.flags`, 'up');
    if (nic.ipv4) {
      config.add(`${key}.ipv4.address`, `${nic.ipv4.address}/${nic.ipv4.prefixLength} ${nic.ipv4.broadcast}`);
      if (nic.ipv4.gateway !== undefined) config.add(`${key}.ipv4.gateway`, nic.ipv4.gateway);
    }
  });

  if (input.devicesCgroupVersion !== null) {
    const prefix = input.devicesCgroupVersion === 1 ? 'lxc.cgroup' : 'lxc.cgroup2';
    config.add(`${prefix}.devices.deny`, 'a');
    for (const rule of DEVICE_ALLOW_RULES) config.add(`${prefix}.devices.allow`, rule);
  }
  for (const setting of input.cgroupSettings) config.add(lxcConfigKey(setting), setting.value);
  return `${config.lines.join('\n')}\n`;
}
