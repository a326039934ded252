import type { Command } from 'commander';
import type { CliContext, Resource } from '../cli-context';
import { configValues } from '../config-values';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { list, toGoJson, toGoYaml } from '../go-shapes';
import { rawOf, renderList } from '../list-output';
import { Profile, ProfilePut, ProfilesPost } from '../lxd-shapes';
import type { ProfileInfo } from '../lxd-types';
import { editAsYaml } from '../yaml-edit';
import { registerProfileDeviceCommands } from './profile-device';
import { profileName, profilePath, updateProfile } from './profile-access';

const EDIT_HELP = `### This is a YAML representation of the profile.
### Any line starting with a '# will be ignored.
###
### A profile consists of a set of configuration items followed by a set of
### devices.
###
### An example would look like:
### name: onenic
### config:
###   raw.lxc: lxc.aa_profile=unconfined
### devices:
###   eth0:
###     nictype: bridged
###     parent: lxdbr0
###     type: nic
###
### Note that the name is shown but cannot be changed`;

/** `cube profile …`: lxc's profile commands (LXD 5.0.2). */
export function registerProfileCommands(program: Command, ctx: CliContext): void {
  const profile = program.command('profile').description('Manage profiles');

  profile
    .command('list')
    .alias('ls')
    .description('List profiles')
    .argument('[remote]', '[<remote>:]')
    .option('-f, --format <format>', 'Format (csv|json|table|yaml|compact)', 'table')
    .action(async (remote: string | undefined, opts: { format: string }) => {
      const { client } = ctx.resource(remote);
      const profiles = (await client.get<ProfileInfo[]>('/1.0/profiles?recursion=1')) ?? [];
      const rows = profiles.map((p) => [p.name ?? '', p.description ?? '', String((p.used_by ?? []).length)]);
      ctx.out(renderList(opts.format, ['NAME', 'DESCRIPTION', 'USED BY'], rows, rawOf(profiles, list(Profile))));
    });

  profile
    .command('show')
    .description('Show profile configurations')
    .argument('<profile>', '[<remote>:]<profile>')
    .action(async (arg: string) => {
      const resource = ctx.resource(arg);
      const value = await resource.client.get(profilePath(profileName(resource)));
      ctx.out(goYamlDocument(toGoYaml(value, Profile)));
    });

  profile
    .command('create')
    .description('Create profiles')
    .argument('<profile>', '[<remote>:]<profile>')
    .action(async (arg: string) => {
      const resource = ctx.resource(arg);
      const name = profileName(resource);
      await resource.client.perform('POST', '/1.0/profiles', toGoJson({ name }, ProfilesPost));
      if (!ctx.quiet) ctx.out(`Profile ${name} created\n`);
    });

  profile
    .command('delete')
    .alias('rm')
    .description('Delete profiles')
    .argument('<profile>', '[<remote>:]<profile>')
    .action(async (arg: string) => {
      const resource = ctx.resource(arg);
      const name = profileName(resource);
      await resource.client.perform('DELETE', profilePath(name));
      if (!ctx.quiet) ctx.out(`Profile ${name} deleted\n`);
    });

  profile
    .command('copy')
    .alias('cp')
    .description('Copy profiles')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<new-profile>', '[<remote>:]<profile>')
    .option('--target-project <project>', 'Copy to a project different from the source')
    .action(async (sourceArg: string, destArg: string, opts: { targetProject?: string }) => {
      const source = ctx.resource(sourceArg);
      const dest = ctx.resource(destArg);
      if (source.name === '') throw new CubedError('Missing source profile name');
      const value = await source.client.get<ProfileInfo>(profilePath(source.name));
      const created = toGoJson(
        { ...(toGoJson(value, ProfilePut) as object), name: dest.name || source.name },
        ProfilesPost,
      );
      const target = opts.targetProject ? dest.client.withProject(opts.targetProject) : dest.client;
      await target.perform('POST', '/1.0/profiles', created);
    });

  profile
    .command('rename')
    .alias('mv')
    .description('Rename profiles')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<new-name>')
    .action(async (arg: string, newName: string) => {
      const resource = ctx.resource(arg);
      const name = profileName(resource);
      await resource.client.perform('POST', profilePath(name), { name: newName });
      if (!ctx.quiet) ctx.out(`Profile ${name} renamed to ${newName}\n`);
    });

  profile
    .command('edit')
    .description('Edit profile configurations as YAML')
    .argument('<profile>', '[<remote>:]<profile>')
    .action(async (arg: string) => {
      const resource = ctx.resource(arg);
      const name = profileName(resource);
      await editAsYaml(ctx, {
        helpTemplate: EDIT_HELP,
        writable: ProfilePut,
        load: async () => {
          const { value, etag } = await resource.client.getWithEtag(profilePath(name));
          return { yaml: toGoYaml(value, Profile), etag };
        },
        save: async (value, etag) => {
          await resource.client.perform('PUT', profilePath(name), value, { etag });
        },
      });
    });

  profile
    .command('get')
    .description('Get values for profile configuration keys')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<key>')
    .action(async (arg: string, key: string) => {
      const resource = ctx.resource(arg);
      const value = await resource.client.get<ProfileInfo>(profilePath(profileName(resource)));
      ctx.out(`${value?.config?.[key] ?? ''}\n`);
    });

  profile
    .command('set')
    .description('Set profile configuration keys')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<config...>', '<key>=<value>... or <key> <value>')
    .action(async (arg: string, config: string[]) => {
      await updateProfileConfig(ctx.resource(arg), await configValues(config, ctx.io.stdin));
    });

  profile
    .command('unset')
    .description('Unset profile configuration keys')
    .argument('<profile>', '[<remote>:]<profile>')
    .argument('<key>')
    .action(async (arg: string, key: string) => {
      await updateProfileConfig(ctx.resource(arg), new Map([[key, '']]));
    });

  registerProfileDeviceCommands(profile, ctx);
}

async function updateProfileConfig(resource: Resource, values: Map<string, string>): Promise<void> {
  await updateProfile(resource, (writable) => {
    writable.config = { ...(writable.config ?? {}), ...Object.fromEntries(values) };
  });
}
