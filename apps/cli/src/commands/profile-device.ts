import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { configValues } from '../config-values';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { toGoYaml } from '../go-shapes';
import { Devices } from '../lxd-shapes';
import type { ProfileInfo } from '../lxd-types';
import { profilePath, updateProfile } from './profile-access';

/** `cube profile device …`: lxc's device commands on profiles. */
export function registerProfileDeviceCommands(profile: Command, ctx: CliContext): void {
  const device = profile.command('device').description('Manage devices');

  const resourceOf = (arg: string) => {
    const resource = ctx.resource(arg);
    if (resource.name === '') throw new CubedError('Missing name');
    return resource;
  };
  const devicesOf = async (arg: string) => {
    const resource = resourceOf(arg);
    const value = await resource.client.get<ProfileInfo>(profilePath(resource.name));
    return value?.devices ?? {};
  };

  device
    .command('add')
    .description('Add instance devices')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<device>')
    .argument('<type>')
    .argument('[config...]', 'key=value...')
    .action(async (arg: string, name: string, type: string, config: string[]) => {
      const settings: Record<string, string> = { type };
      for (const prop of config) {
        const eq = prop.indexOf('=');
        if (eq < 0) throw new CubedError(`No value found in "${prop}"`);
        settings[prop.slice(0, eq)] = prop.slice(eq + 1);
      }
      const resource = resourceOf(arg);
      await updateProfile(resource, (writable) => {
        const devices = writable.devices ?? {};
        if (Object.prototype.hasOwnProperty.call(devices, name)) throw new CubedError('The device already exists');
        writable.devices = { ...devices, [name]: settings };
      });
      if (!ctx.quiet) ctx.out(`Device ${name} added to ${resource.name}\n`);
    });

  device
    .command('remove')
    .alias('rm')
    .description('Remove instance devices')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<name...>')
    .action(async (arg: string, names: string[]) => {
      const resource = resourceOf(arg);
      await updateProfile(resource, (writable) => {
        const devices = { ...(writable.devices ?? {}) };
        for (const name of names) {
          if (!Object.prototype.hasOwnProperty.call(devices, name)) throw new CubedError("Device doesn't exist");
          delete devices[name];
        }
        writable.devices = devices;
      });
      if (!ctx.quiet) ctx.out(`Device ${names.join(', ')} removed from ${resource.name}\n`);
    });

  device
    .command('list')
    .alias('ls')
    .description('List instance devices')
    .argument('<profile>', '[<remote>:]<profile>')
    .action(async (arg: string) => {
      const names = Object.keys(await devicesOf(arg)).sort();
      ctx.out(`${names.join('\n')}\n`);
    });

  device
    .command('show')
    .description('Show full device configuration')
    .argument('<profile>', '[<remote>:]<profile>')
    .action(async (arg: string) => {
      ctx.out(goYamlDocument(toGoYaml(await devicesOf(arg), Devices)));
    });

  device
    .command('get')
    .description('Get values for device configuration keys')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<device>')
    .argument('<key>')
    .action(async (arg: string, name: string, key: string) => {
      const devices = await devicesOf(arg);
      if (!Object.prototype.hasOwnProperty.call(devices, name)) throw new CubedError("Device doesn't exist");
      ctx.out(`${devices[name]?.[key] ?? ''}\n`);
    });

  device
    .command('set')
    .description('Set device configuration keys')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<device>')
    .argument('<config...>', '<key>=<value>... or <key> <value>')
    .action(async (arg: string, name: string, config: string[]) => {
      const values = await configValues(config, ctx.io.stdin);
      await setDeviceKeys(arg, name, values);
    });

  device
    .command('unset')
    .description('Unset device configuration keys')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<device>')
    .argument('<key>')
    .action(async (arg: string, name: string, key: string) => {
      await setDeviceKeys(arg, name, new Map([[key, '']]));
    });

  async function setDeviceKeys(arg: string, name: string, values: Map<string, string>): Promise<void> {
    await updateProfile(resourceOf(arg), (writable) => {
      const devices = writable.devices ?? {};
      if (!Object.prototype.hasOwnProperty.call(devices, name)) throw new CubedError("Device doesn't exist");
      writable.devices = { ...devices, [name]: { ...devices[name], ...Object.fromEntries(values) } };
    });
  }
}
