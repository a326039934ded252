import * as fs from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { renderList } from '../list-output';
import { addRemote, type RemoteAddOptions } from './remote-add';

/**
 * `cube remote …`: the remotes of the client configuration (lxc's remote commands). The global --project given to
 * `remote add` is the project stored for the new remote.
 */
export function registerRemoteCommands(program: Command, ctx: CliContext): void {
  const remote = program.command('remote').description('Manage the list of remote servers');

  remote
    .command('add')
    .description('Add new remote servers')
    .argument('<name>', '[<remote>]')
    .argument('[address]', '<IP|FQDN|URL|token>')
    .option('--accept-certificate', 'Accept certificate')
    .option('--password <password>', 'Remote admin password')
    .option('--protocol <protocol>', 'Server protocol (lxd)')
    .action(async (name: string, address: string | undefined, opts: RemoteAddOptions) => {
      await addRemote(ctx, name, address ?? name, { ...opts, project: ctx.project });
    });

  remote
    .command('get-default')
    .description('Show the default remote')
    .action(() => ctx.out(`${ctx.config.defaultRemote}\n`));

  remote
    .command('list')
    .alias('ls')
    .description('List the available remotes')
    .option('-f, --format <format>', 'Format (csv|json|table|yaml|compact)', 'table')
    .action((opts: { format: string }) => {
      const config = ctx.config;
      const names = [...config.remotes.keys()].sort();
      const rows = names.map((name) => {
        const r = config.remotes.get(name)!;
        const authType =
          r.auth_type || (r.addr.startsWith('unix:') ? 'file access' : r.protocol === 'simplestreams' ? 'none' : 'tls');
        return [
          name === config.defaultRemote ? `${name} (current)` : name,
          r.addr,
          r.protocol || 'lxd',
          authType,
          r.public ? 'YES' : 'NO',
          r.static ? 'YES' : 'NO',
          'NO',
        ];
      });
      const json: Record<string, unknown> = {};
      const yaml: Record<string, unknown> = {};
      for (const name of names) {
        const r = config.remotes.get(name)!;
        json[name] = {
          Addr: r.addr,
          AuthType: r.auth_type ?? '',
          Domain: r.domain ?? '',
          Project: r.project ?? '',
          Protocol: r.protocol ?? '',
          Public: r.public,
          Global: false,
          Static: r.static === true,
        };
        yaml[name] = {
          addr: r.addr,
          ...(r.auth_type ? { auth_type: r.auth_type } : {}),
          ...(r.domain ? { domain: r.domain } : {}),
          ...(r.project ? { project: r.project } : {}),
          ...(r.protocol ? { protocol: r.protocol } : {}),
          public: r.public,
        };
      }
      const columns = ['NAME', 'URL', 'PROTOCOL', 'AUTH TYPE', 'PUBLIC', 'STATIC', 'GLOBAL'];
      ctx.out(renderList(opts.format, columns, rows, { json, yaml }));
    });

  remote
    .command('rename')
    .alias('mv')
    .description('Rename remotes')
    .argument('<remote>')
    .argument('<new-name>')
    .action((name: string, newName: string) => {
      const config = ctx.config;
      const r = modifiable(ctx, name);
      if (config.remotes.has(newName)) throw new CubedError(`Remote ${newName} already exists`);
      const oldCertificate = config.serverCertificatePath(name);
      if (fs.existsSync(oldCertificate)) fs.renameSync(oldCertificate, config.serverCertificatePath(newName));
      config.remotes.delete(name);
      config.remotes.set(newName, r);
      if (config.defaultRemote === name) config.defaultRemote = newName;
      config.save();
    });

  remote
    .command('remove')
    .alias('rm')
    .description('Remove remotes')
    .argument('<remote>')
    .action((name: string) => {
      const config = ctx.config;
      modifiable(ctx, name);
      if (config.defaultRemote === name) throw new CubedError("Can't remove the default remote");
      config.remotes.delete(name);
      fs.rmSync(config.serverCertificatePath(name), { force: true });
      config.save();
    });

  remote
    .command('switch')
    .alias('set-default')
    .description('Switch the default remote')
    .argument('<remote>')
    .action((name: string) => {
      const config = ctx.config;
      if (!config.remotes.has(name)) throw new CubedError(`Remote ${name} doesn't exist`);
      config.defaultRemote = name;
      config.save();
    });

  remote
    .command('set-url')
    .description('Set the URL for the remote')
    .argument('<remote>')
    .argument('<url>')
    .action((name: string, url: string) => {
      const r = modifiable(ctx, name);
      ctx.config.remotes.set(name, { ...r, addr: url });
      ctx.config.save();
    });
}

/** A remote that may be changed: it exists and is not static (`local`). */
function modifiable(ctx: CliContext, name: string) {
  const r = ctx.config.remotes.get(name);
  if (!r) throw new CubedError(`Remote ${name} doesn't exist`);
  if (r.static) throw new CubedError(`Remote ${name} is static and cannot be modified`);
  return r;
}
