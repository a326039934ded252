import type { Command } from 'commander';
import { pathSegment } from '../api-path';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { toGoYaml } from '../go-shapes';
import { dereferenceAlias } from '../image-aliases';
import { ImagePut } from '../lxd-shapes';
import { registerImageAliasCommands } from './image-alias';
import { registerImageImportCommand } from './image-import';
import { registerImageListCommand } from './image-list';

/** `cube image …`: lxc's image commands (import, list, show, delete, alias). */
export function registerImageCommands(program: Command, ctx: CliContext): void {
  const image = program.command('image').description('Manage images');

  registerImageImportCommand(image, ctx);
  registerImageListCommand(image, ctx);

  image
    .command('show')
    .description('Show image properties')
    .argument('<image>', '[<remote>:]<image>')
    .option('--vm', 'Query virtual machine images')
    .action(async (arg: string, opts: { vm?: boolean }) => {
      const { client, name } = ctx.resource(arg);
      const fingerprint = await dereferenceAlias(client, name, opts.vm ? 'virtual-machine' : '');
      const info = await client.get(`/1.0/images/${pathSegment(fingerprint)}`);
      ctx.out(goYamlDocument(toGoYaml(info, ImagePut)));
    });

  image
    .command('delete')
    .alias('rm')
    .description('Delete images')
    .argument('<images...>', '[<remote>:]<image> [[<remote>:]<image>...]')
    .action(async (args: string[]) => {
      for (const arg of args) {
        const { client, name } = ctx.resource(arg);
        if (name === '') throw new CubedError('Image identifier missing');
        const fingerprint = await dereferenceAlias(client, name);
        await client.perform('DELETE', `/1.0/images/${pathSegment(fingerprint)}`);
      }
    });

  registerImageAliasCommands(image, ctx);
}
