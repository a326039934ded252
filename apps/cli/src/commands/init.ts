import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { addCreateOptions, createInstance, type CreateOptions } from './instance-create';

/** `cube init [<remote>:]<image> [<remote>:][<name>]`: creates an instance without starting it (lxc init). */
export function registerInitCommand(program: Command, ctx: CliContext): void {
  const init = program.command('init').description('Create instances from images');
  addCreateOptions(init).action(async (image: string | undefined, name: string | undefined, opts: CreateOptions) => {
    if (image === undefined && !opts.empty) {
      init.outputHelp();
      return;
    }
    await createInstance(ctx, image, name, opts);
  });
}
