import * as fs from 'node:fs';
import type { CliContext } from '../cli-context';
import type { LxdClient } from '../client';
import { generateClientCertificate, readClientCertificate } from '../client-certificate';
import { ConnectionError, CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { CertificatesPost } from '../lxd-shapes';
import { decodeCertificateAddToken, TokenError, type CertificateAddToken } from '../lxd-token';
import type { ServerInfo } from '../lxd-types';
import { askChoice } from '../prompts';
import { normalizeRemoteAddress } from '../remote-address';
import type { Remote } from '../remote-config';
import { fetchServerCertificate, type ServerCertificate } from '../server-certificate';

export interface RemoteAddOptions {
  acceptCertificate?: boolean;
  password?: string;
  protocol?: string;
  project?: string;
}

/** A remote address that could not be reached; with a token, the next address is tried. */
class UnavailableRemote extends CubedError {}

/**
 * `cube remote add <name> <address|token>` (lxc 5.0.2's `remote add`). With a certificate add token, each of the
 * token's addresses is tried in turn: the server's certificate must have the token's fingerprint, it is pinned, and
 * POST /1.0/certificates with the token as password makes the server trust the client certificate. With an
 * address, the server's certificate is shown for acceptance (or --accept-certificate) when the system CAs do not
 * trust it, then the trust password (--password, or asked for) is sent if the server does not trust the client.
 * The client certificate is generated first when there is none.
 */
export async function addRemote(ctx: CliContext, name: string, target: string, opts: RemoteAddOptions): Promise<void> {
  const config = ctx.config;
  if (name.includes(':')) throw new CubedError('Remote names may not contain colons');
  const existing = config.remotes.get(name);
  if (existing) throw new CubedError(`Remote ${name} exists as <${existing.addr}>`);
  const protocol = opts.protocol || 'lxd';
  if (protocol !== 'lxd') throw new CubedError(`Invalid protocol: ${protocol}`);

  let token: CertificateAddToken | undefined;
  try {
    token = decodeCertificateAddToken(target);
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
  }
  const pinned = config.serverCertificatePath(name);
  try {
    if (token) await addWithToken(ctx, name, target, token, opts);
    else await addWithAddress(ctx, name, normalizeRemoteAddress(target), opts);
  } catch (err) {
    config.remotes.delete(name);
    fs.rmSync(pinned, { force: true });
    throw err;
  } finally {
    ctx.disconnect(name);
  }
}

async function ensureClientCertificate(ctx: CliContext): Promise<void> {
  const config = ctx.config;
  if (readClientCertificate(config.clientCertificatePath, config.clientKeyPath)) return;
  ctx.io.stderr('Generating a client certificate. This may take a minute...\n');
  await generateClientCertificate(config.clientCertificatePath, config.clientKeyPath);
}

async function addWithToken(
  ctx: CliContext,
  name: string,
  token: string,
  decoded: CertificateAddToken,
  opts: RemoteAddOptions,
): Promise<void> {
  await ensureClientCertificate(ctx);
  for (const address of decoded.addresses) {
    try {
      await addFromToken(ctx, name, `https://${address}`, token, decoded.fingerprint, opts);
      return;
    } catch (err) {
      if (!(err instanceof UnavailableRemote)) throw err;
    }
  }
  ctx.out('All server addresses are unavailable\n');
  ctx.out('Please provide an alternate server address (empty to abort): ');
  const line = ((await ctx.io.stdin.readLine()) ?? '').trim();
  if (line === '') throw new CubedError('Failed to add remote');
  await addFromToken(ctx, name, line.includes('://') ? line : `https://${line}`, token, decoded.fingerprint, opts);
}

async function addFromToken(
  ctx: CliContext,
  name: string,
  addr: string,
  token: string,
  fingerprint: string,
  opts: RemoteAddOptions,
): Promise<void> {
  const config = ctx.config;
  ctx.disconnect(name);
  config.remotes.set(name, { addr, protocol: 'lxd', public: false });
  let certificate: ServerCertificate;
  try {
    certificate = await fetchServerCertificate(addr);
  } catch (err) {
    throw new UnavailableRemote(`Unavailable remote server: ${(err as Error).message}`);
  }
  if (certificate.fingerprint !== fingerprint) {
    throw new CubedError(`Certificate fingerprint mismatch between certificate token and server "${addr}"`);
  }
  pinServerCertificate(ctx, name, certificate);
  const client = ctx.connect(name);
  let server: ServerInfo;
  try {
    server = await client.get<ServerInfo>('/1.0');
  } catch (err) {
    if (err instanceof ConnectionError) throw new UnavailableRemote(`Unavailable remote server: ${err.message}`);
    throw err;
  }
  try {
    await client.request('POST', '/1.0/certificates', toGoJson({ password: token }, CertificatesPost));
  } catch (err) {
    throw new CubedError(`Failed to create certificate: ${(err as Error).message}`);
  }
  let project: string;
  try {
    project = await findProject(ctx, client, server, opts.project);
  } catch (err) {
    throw new CubedError(`Failed to find project: ${(err as Error).message}`);
  }
  saveRemote(ctx, name, { ...config.remote(name), ...(project ? { project } : {}) });
}

async function addWithAddress(ctx: CliContext, name: string, addr: string, opts: RemoteAddOptions): Promise<void> {
  const config = ctx.config;
  const unix = addr.startsWith('unix:');
  if (!unix) await ensureClientCertificate(ctx);
  config.remotes.set(name, { addr, protocol: 'lxd', auth_type: 'tls', public: false });

  let client = ctx.connect(name);
  let server: ServerInfo | undefined;
  let failure: unknown;
  try {
    server = await client.get<ServerInfo>('/1.0');
  } catch (err) {
    if (unix) throw err;
    failure = err;
  }

  if (failure !== undefined) {
    const certificate = await fetchServerCertificate(addr);
    if (!opts.acceptCertificate) {
      ctx.out(`Certificate fingerprint: ${certificate.fingerprint}\n`);
      ctx.out('ok (y/n/[fingerprint])? ');
      const line = (await ctx.io.stdin.readLine()) ?? '';
      if (line !== certificate.fingerprint) {
        if (line.length < 1 || line[0].toLowerCase() === 'n') throw new CubedError('Server certificate NACKed by user');
        if (line[0].toLowerCase() !== 'y') throw new CubedError("Please type 'y', 'n' or the fingerprint:");
      }
    }
    pinServerCertificate(ctx, name, certificate);
    client = ctx.connect(name);
    server = await client.get<ServerInfo>('/1.0');
  }
  server ??= {};

  if (server.public) {
    saveRemote(ctx, name, { addr, public: true });
    return;
  }
  if (!unix && !(server.auth_methods ?? []).includes('tls')) {
    throw new CubedError("Authentication type 'tls' not supported by server");
  }
  if (server.auth !== 'trusted') {
    let password = opts.password;
    if (password === undefined) {
      ctx.out(`Admin password (or token) for ${name}: `);
      password = (await ctx.io.stdin.readSecret()) ?? '';
      ctx.out('\n');
    }
    await client.request('POST', '/1.0/certificates', toGoJson({ type: 'client', password }, CertificatesPost));
    server = (await client.get<ServerInfo>('/1.0')) ?? {};
    if (server.auth !== 'trusted') throw new CubedError("Server doesn't trust us after authentication");
    ctx.out(`Client certificate now trusted by server: ${name}\n`);
  }
  const project = await findProject(ctx, client, server, opts.project);
  saveRemote(ctx, name, { ...config.remote(name), ...(project ? { project } : {}) });
}

function pinServerCertificate(ctx: CliContext, name: string, certificate: ServerCertificate): void {
  const config = ctx.config;
  try {
    fs.mkdirSync(config.serverCertificateDir, { recursive: true, mode: 0o750 });
  } catch {
    throw new CubedError('Could not create server cert dir');
  }
  const file = config.serverCertificatePath(name);
  try {
    fs.writeFileSync(file, certificate.pem, { mode: 0o644 });
  } catch (err) {
    throw new CubedError(`Could not write server cert file "${file}": ${(err as Error).message}`);
  }
  ctx.disconnect(name);
}

/**
 * The project to use on the new remote (lxc's findProject): the one asked for (it must exist); else, when the
 * server has projects, the only one the client may use, nothing if `default` is among several, or the user's
 * choice.
 */
async function findProject(
  ctx: CliContext,
  client: LxdClient,
  server: ServerInfo,
  wanted: string | undefined,
): Promise<string> {
  if (wanted) {
    await client.get(`/1.0/projects/${encodeURIComponent(wanted)}`);
    return wanted;
  }
  if (!(server.api_extensions ?? []).includes('projects')) return '';
  const urls = (await client.get<string[]>('/1.0/projects')) ?? [];
  const names = urls.map((url) => decodeURIComponent(url.split('/').pop() ?? ''));
  if (names.length === 0) return '';
  if (names.length === 1) return names[0];
  if (names.includes('default')) return '';
  ctx.out('Available projects:\n');
  for (const n of names) ctx.out(` - ${n}\n`);
  return askChoice(ctx, 'Name of the project to use for this remote: ', names);
}

function saveRemote(ctx: CliContext, name: string, remote: Remote): void {
  ctx.config.remotes.set(name, remote);
  ctx.config.save();
}
