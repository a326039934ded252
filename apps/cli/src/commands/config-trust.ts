import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { pathSegment } from '../api-path';
import type { CliContext } from '../cli-context';
import type { LxdClient } from '../client';
import { CubedError } from '../cubed-error';
import { goYamlDocument } from '../go-yaml';
import { list, toGoJson, toGoYaml } from '../go-shapes';
import { afterEpoch, formatLongDate, formatShortDate, fromDate } from '../go-time';
import { rawOf, renderList } from '../list-output';
import { Certificate, CertificatePut, CertificatesPost } from '../lxd-shapes';
import { certificateAddToken, encodeToken, tokenExpiry, type CertificateAddToken } from '../lxd-token';
import { RUNNING, type CertificateInfo, type OperationInfo } from '../lxd-types';
import { operationsOf } from './operation';
import { askString } from '../prompts';
import { editAsYaml } from '../yaml-edit';

const FORMAT_HELP = 'Format (csv|json|table|yaml|compact)';

const EDIT_HELP = `### This is a YAML representation of the certificate.
### Any line starting with a '# will be ignored.
###
### Note that the fingerprint is shown but cannot be changed`;

function certificatePath(fingerprint: string): string {
  return `/1.0/certificates/${pathSegment(fingerprint)}`;
}

/** `cube config trust …`: lxc's trusted client commands (GET/POST/PUT/DELETE /1.0/certificates). */
export function registerConfigTrustCommands(config: Command, ctx: CliContext): void {
  const trust = config.command('trust').description('Manage trusted clients');

  trust
    .command('list')
    .alias('ls')
    .description('List trusted clients')
    .argument('[remote]', '[<remote>:]')
    .option('-f, --format <format>', FORMAT_HELP, 'table')
    .action(async (remote: string | undefined, opts: { format: string }) => {
      const { client } = ctx.resource(remote);
      const certificates = (await client.get<CertificateInfo[]>('/1.0/certificates?recursion=1')) ?? [];
      const rows = certificates.map((c) => {
        let x509: X509Certificate;
        try {
          x509 = new X509Certificate(c.certificate ?? '');
        } catch {
          throw new CubedError('Invalid certificate');
        }
        return [
          c.type ?? '',
          c.name ?? '',
          commonName(x509.subject),
          (c.fingerprint ?? '').slice(0, 12),
          formatLongDate(fromDate(new Date(x509.validFrom))),
          formatLongDate(fromDate(new Date(x509.validTo))),
        ];
      });
      const columns = ['TYPE', 'NAME', 'COMMON NAME', 'FINGERPRINT', 'ISSUE DATE', 'EXPIRY DATE'];
      ctx.out(renderList(opts.format, columns, rows, rawOf(certificates, list(Certificate))));
    });

  trust
    .command('add')
    .description('Add new trusted client')
    .argument('[args...]', '[<remote>:] [<cert>]')
    .option('--name <name>', 'Alternative certificate name')
    .option('--type <type>', 'Type of certificate', 'client')
    .option('--restricted', 'Restrict the certificate to one or more projects')
    .option('--projects <projects>', 'List of projects to restrict the certificate to')
    .action(async (args: string[], opts: { name?: string; type: string; restricted?: boolean; projects?: string }) => {
      if (args.length > 2) throw new CubedError('Invalid number of arguments');
      if (opts.type !== 'client' && opts.type !== 'metrics')
        throw new CubedError(`Unknown certificate type "${opts.type}"`);
      const { client } = ctx.resource(args.length > 0 ? args[0] : undefined);
      const request: Record<string, unknown> = {
        restricted: opts.restricted === true,
        ...(opts.projects ? { projects: opts.projects.split(',') } : {}),
      };
      if (args.length === 0) {
        if (opts.type === 'metrics') throw new CubedError('Cannot use metrics type certificate when using a token');
        const name = opts.name ?? (await askString(ctx, 'Please provide client name: '));
        const body = toGoJson({ ...request, name, type: 'client', token: true }, CertificatesPost);
        const response = await client.query<OperationInfo>('POST', '/1.0/certificates', body);
        let token: CertificateAddToken;
        try {
          token = certificateAddToken(response.metadata ?? {});
        } catch (err) {
          throw new CubedError(`Failed converting token operation to certificate add token: ${(err as Error).message}`);
        }
        if (!ctx.quiet) ctx.out(`Client ${name} certificate add token:\n`);
        ctx.out(`${encodeToken(token)}\n`);
        return;
      }
      const file = args[args.length - 1];
      const text = file === '-' ? await ctx.io.stdin.readAll() : readFile(file);
      let der: Buffer;
      try {
        der = Buffer.from(new X509Certificate(text).raw);
      } catch {
        throw new CubedError(`Failed to parse certificate ${file === '-' ? '/dev/stdin' : file}`);
      }
      const name = opts.name ?? path.basename(file === '-' ? '/dev/stdin' : file);
      const body = toGoJson(
        { ...request, name, type: opts.type, certificate: der.toString('base64') },
        CertificatesPost,
      );
      await client.perform('POST', '/1.0/certificates', body);
    });

  trust
    .command('show')
    .description('Show trust configurations')
    .argument('<fingerprint>', '[<remote>:]<fingerprint>')
    .action(async (arg: string) => {
      const { client, name } = ctx.resource(arg);
      if (name === '') throw new CubedError('Missing certificate fingerprint');
      ctx.out(goYamlDocument(toGoYaml(await client.get(certificatePath(name)), Certificate)));
    });

  trust
    .command('edit')
    .description('Edit trust configurations as YAML')
    .argument('<fingerprint>', '[<remote>:]<fingerprint>')
    .action(async (arg: string) => {
      const { client, name } = ctx.resource(arg);
      if (name === '') throw new CubedError('Missing certificate fingerprint');
      await editAsYaml(ctx, {
        helpTemplate: EDIT_HELP,
        writable: CertificatePut,
        load: async () => {
          const { value, etag } = await client.getWithEtag(certificatePath(name));
          return { yaml: toGoYaml(value, Certificate), etag };
        },
        save: async (value, etag) => {
          await client.perform('PUT', certificatePath(name), value, { etag });
        },
      });
    });

  trust
    .command('remove')
    .alias('rm')
    .description('Remove trusted client')
    .argument('<fingerprint>', '[<remote>:]<fingerprint>')
    .argument('[legacy]', 'the fingerprint, after a separate "<remote>:"')
    .action(async (arg: string, legacy: string | undefined) => {
      const { client, name } = ctx.resource(arg);
      await client.perform('DELETE', certificatePath(legacy ?? name));
    });

  trust
    .command('list-tokens')
    .description('List all active certificate add tokens')
    .argument('[remote]', '[<remote>:]')
    .option('-f, --format <format>', FORMAT_HELP, 'table')
    .action(async (remote: string | undefined, opts: { format: string }) => {
      const { client } = ctx.resource(remote);
      const shown = (await addTokens(client)).map(({ token }) => {
        const expiry = tokenExpiry(token);
        return {
          name: token.client_name,
          token: encodeToken(token),
          expiresAt: afterEpoch(expiry) ? formatShortDate(expiry) : '',
        };
      });
      ctx.out(
        renderList(
          opts.format,
          ['NAME', 'TOKEN', 'EXPIRES AT'],
          shown.map((t) => [t.name, t.token, t.expiresAt]),
          {
            json: shown.map((t) => ({ ClientName: t.name, Token: t.token, ExpiresAt: t.expiresAt })),
            yaml: shown.map((t) => ({ clientname: t.name, token: t.token, expiresat: t.expiresAt })),
          },
        ),
      );
    });

  trust
    .command('revoke-token')
    .description('Revoke certificate add token')
    .argument('<name>', '[<remote>:]<name>')
    .action(async (arg: string) => {
      const { client, name, remote } = ctx.resource(arg);
      const found = (await addTokens(client)).find(({ token }) => token.client_name === name);
      if (!found) throw new CubedError(`No certificate add token for member ${name} on remote: ${remote}`);
      await client.withProject(undefined).perform('DELETE', `/1.0/operations/${pathSegment(found.id)}`);
      if (!ctx.quiet) ctx.out(`Certificate add token for ${name} deleted\n`);
    });
}

/** The usable certificate add tokens: Running `token` operations of the default project that describe one. */
async function addTokens(client: LxdClient): Promise<{ id: string; token: CertificateAddToken }[]> {
  const tokens: { id: string; token: CertificateAddToken }[] = [];
  for (const op of await operationsOf(client.withProject(undefined))) {
    if (op.class !== 'token' || op.status_code !== RUNNING) continue;
    try {
      tokens.push({ id: op.id ?? '', token: certificateAddToken(op) });
    } catch {
      // a cluster join token
    }
  }
  return tokens;
}

/** The last CN of an X509Certificate subject (`O=linuxcontainers.org\nCN=root@vm` → `root@vm`). */
function commonName(subject: string): string {
  const names = subject.split('\n').filter((line) => line.startsWith('CN='));
  return names.length > 0 ? names[names.length - 1].slice(3) : '';
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CubedError(
      `open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
    );
  }
}
