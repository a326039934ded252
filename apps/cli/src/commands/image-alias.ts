import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { list, toGoJson } from '../go-shapes';
import { aliasPath } from '../image-aliases';
import { rawOf, renderList } from '../list-output';
import { ImageAliasesEntry } from '../lxd-shapes';
import type { ImageAliasInfo } from '../lxd-types';

/** `cube image alias create|delete|list|rename` (lxc image alias): /1.0/images/aliases. */
export function registerImageAliasCommands(image: Command, ctx: CliContext): void {
  const alias = image.command('alias').description('Manage image aliases');

  alias
    .command('create')
    .description('Create aliases for existing images')
    .argument('<alias>', '[<remote>:]<alias>')
    .argument('<fingerprint>')
    .action(async (arg: string, fingerprint: string) => {
      const { client, name } = ctx.resource(arg);
      if (name === '') throw new CubedError('Alias name missing');
      await client.request('POST', '/1.0/images/aliases', toGoJson({ name, target: fingerprint }, ImageAliasesEntry));
    });

  alias
    .command('delete')
    .alias('rm')
    .description('Delete image aliases')
    .argument('<alias>', '[<remote>:]<alias>')
    .action(async (arg: string) => {
      const { client, name } = ctx.resource(arg);
      if (name === '') throw new CubedError('Alias name missing');
      await client.request('DELETE', aliasPath(name));
    });

  alias
    .command('rename')
    .alias('mv')
    .description('Rename aliases')
    .argument('<alias>', '[<remote>:]<alias>')
    .argument('<new-name>')
    .action(async (arg: string, newName: string) => {
      const { client, name } = ctx.resource(arg);
      if (name === '') throw new CubedError('Alias name missing');
      await client.request('POST', aliasPath(name), { name: newName });
    });

  alias
    .command('list')
    .alias('ls')
    .description('List image aliases')
    .argument('[filters...]', '[<remote>:] [<filters>...]')
    .option('-f, --format <format>', 'Format (csv|json|table|yaml|compact)', 'table')
    .action(async (args: string[], opts: { format: string }) => {
      const { client, name } = ctx.resource(args[0] ?? '');
      const filters = [...(name !== '' ? [name] : []), ...args.slice(1)];
      const aliases = (await client.get<ImageAliasInfo[]>('/1.0/images/aliases?recursion=1')) ?? [];
      const shown = aliases.filter(
        (a) => filters.length === 0 || filters.some((f) => (a.name ?? '').includes(f) || (a.target ?? '').includes(f)),
      );
      const rows = shown.map((a) => [
        a.name ?? '',
        (a.target ?? '').slice(0, 12),
        (a.type || 'container').toUpperCase(),
        a.description ?? '',
      ]);
      ctx.out(
        renderList(
          opts.format,
          ['ALIAS', 'FINGERPRINT', 'TYPE', 'DESCRIPTION'],
          rows,
          rawOf(aliases, list(ImageAliasesEntry)),
        ),
      );
    });
}
