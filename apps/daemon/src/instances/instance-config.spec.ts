import { checkDevices, checkExpandedConfig, expand, type ProfileContent, rootDisk, validInstanceConfig } from './instance-config';

const GiB = 1024 ** 3;

describe('instance configuration', () => {
  it('takes the keys Cubed acts on, and free-form user/environment/image keys', () => {
    expect(validInstanceConfig({ 'limits.memory': '64MiB', 'security.privileged': 'true', 'user.x': 'y', 'environment.FOO': 'bar', 'placement.group': 'web' })).toEqual({
      'limits.memory': '64MiB',
      'security.privileged': 'true',
      'user.x': 'y',
      'environment.FOO': 'bar',
      'placement.group': 'web',
    });
  });

  it('refuses unknown keys, bad values, and volatile keys a client did not get from the instance', () => {
    expect(() => validInstanceConfig({ 'raw.lxc': 'lxc.foo=1' })).toThrow(/Unknown configuration key: raw.lxc/);
    expect(() => validInstanceConfig({ 'security.privileged': 'maybe' })).toThrow(/expected a boolean/);
    expect(() => validInstanceConfig({ 'boot.autostart.delay': 'soon' })).toThrow(/expected an integer/);
    expect(() => validInstanceConfig({ 'limits.cpu': 2 })).toThrow(/expected a string/);
    expect(() => validInstanceConfig({ 'volatile.uuid': 'x' })).toThrow(/Volatile key "volatile.uuid" cannot be set/);
    expect(validInstanceConfig({ 'volatile.uuid': 'u1', 'user.a': 'b' }, { 'volatile.uuid': 'u1' })).toEqual({ 'user.a': 'b' });
  });

  it('checks limits in the expanded config against the runtime rules', () => {
    expect(() => checkExpandedConfig({ 'limits.memory': '64MiB', 'limits.cpu': '1' }, 8 * GiB)).not.toThrow();
    expect(() => checkExpandedConfig({ 'limits.memory': 'lots' }, 8 * GiB)).toThrow(/Invalid config/);
  });

  it('expands profiles in order, the instance last, and lets a "none" device mask a profile device', () => {
    const profiles: ProfileContent[] = [
      { name: 'default', config: { 'limits.cpu': '1', 'user.a': 'default' }, devices: { root: { type: 'disk', path: '/', pool: 'default' }, eth0: { type: 'nic', nictype: 'bridged', parent: 'br0' } } },
      { name: 'big', config: { 'limits.cpu': '2' }, devices: {} },
    ];
    const expanded = expand(profiles, { 'user.a': 'mine' }, { eth0: { type: 'none' } });
    expect(expanded.config).toEqual({ 'limits.cpu': '2', 'user.a': 'mine' });
    expect(expanded.devices).toEqual({ root: { type: 'disk', path: '/', pool: 'default' } });
    expect(rootDisk(expanded.devices)).toEqual({ name: 'root', pool: 'default' });
  });

  it('runs root disks and bridged NICs only, and says why otherwise', () => {
    expect(() => checkDevices({ root: { type: 'disk', path: '/', pool: 'p' }, eth0: { type: 'nic', network: 'fan0' } }, 'devices')).not.toThrow();
    expect(() => checkDevices({ data: { type: 'disk', path: '/data', source: '/srv' } }, 'devices')).toThrow(/unsupported disk option "source"/);
    expect(() => checkDevices({ data: { type: 'disk', path: '/data', pool: 'p' } }, 'devices')).toThrow(/only the root disk/);
    expect(() => checkDevices({ eth0: { type: 'nic', nictype: 'macvlan', parent: 'eth0' } }, 'devices')).toThrow(/only bridged NICs/);
    expect(() => checkDevices({ gpu: { type: 'gpu' } }, 'devices')).toThrow(/device type "gpu" is not supported/);
    expect(() => rootDisk({})).toThrow(/No root device could be found/);
  });
});
