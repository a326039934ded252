/**
 * The interactive `cubed init`: LXD's questions (with Cubed's name), turned into a preseed.
 * Storage pools and networks are asked about by the commands that manage them once the server
 * has them; here: clustering (bootstrap or join, with a token or the trust password), the
 * network address, and the trust password.
 */
import * as os from 'node:os';
import { decodeJoinToken } from '../cluster/join-token';
import type { Preseed } from './preseed';
import type { Prompter } from './prompter';

export interface InitDefaults {
  /** The address suggested for reaching this server (e.g. its first non-loopback IPv4). */
  address: string;
  hostname: string;
}

export function defaultAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** An address with LXD's default port 8443 added when it has none. */
export function withPort(a: string): string {
  if (/^\[.+\]:\d+$/.test(a) || /^[^:]+:\d+$/.test(a)) return a;
  if (a.includes(':')) return `[${a.replace(/^\[|\]$/g, '')}]:8443`;
  return `${a}:8443`;
}

export async function askInitQuestions(p: Prompter, defaults: InitDefaults = { address: defaultAddress(), hostname: os.hostname() }): Promise<Preseed> {
  const preseed: Preseed = { config: {} };
  if (await p.confirm('Would you like to use Cubed clustering?', false)) {
    const address = withPort(await p.ask('What IP address or DNS name should be used to reach this server?', defaults.address));
    if (await p.confirm('Are you joining an existing cluster?', false)) {
      const tokenAnswer = await p.ask('Do you have a join token? (yes/no/[token])', 'no');
      if (tokenAnswer.toLowerCase() === 'yes' || tokenAnswer.toLowerCase() === 'y' || tokenAnswer.length > 20) {
        const token = tokenAnswer.length > 20 ? tokenAnswer : await p.ask('Please provide join token');
        const decoded = decodeJoinToken(token);
        if (!(await p.confirm('All existing data is lost when joining a cluster, continue?', false))) throw new Error('User aborted configuration');
        preseed.config = { 'core.https_address': address };
        preseed.cluster = { enabled: true, server_name: decoded.server_name, server_address: address, cluster_token: token };
        return preseed;
      }
      const name = await p.ask('What member name should be used to identify this server in the cluster?', defaults.hostname);
      const clusterAddress = withPort(await p.ask('IP address or FQDN of an existing cluster member (may include port)'));
      const certificate = await p.ask('Paste the cluster certificate (one line, \\n for line breaks)');
      const password = await p.ask('Cluster trust password');
      if (!(await p.confirm('All existing data is lost when joining a cluster, continue?', false))) throw new Error('User aborted configuration');
      preseed.config = { 'core.https_address': address };
      preseed.cluster = {
        enabled: true,
        server_name: name,
        server_address: address,
        cluster_address: clusterAddress,
        cluster_certificate: certificate.replace(/\\n/g, '\n'),
        cluster_password: password,
      };
      return preseed;
    }
    const name = await p.ask('What member name should be used to identify this server in the cluster?', defaults.hostname);
    preseed.config = { 'core.https_address': address };
    if (await p.confirm('Setup password authentication on the cluster?', false)) preseed.config['core.trust_password'] = await p.secret('Trust password for new clients');
    preseed.cluster = { enabled: true, server_name: name };
    return preseed;
  }
  if (await p.confirm('Would you like the Cubed server to be available over the network?', false)) {
    const host = await p.ask('Address to bind to (not including port)', 'all');
    const port = await p.ask('Port to bind to', '8443');
    if (!/^\d+$/.test(port)) throw new Error(`Invalid port "${port}"`);
    preseed.config!['core.https_address'] = host === 'all' ? `[::]:${port}` : host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const password = await p.secret('Trust password for new clients');
    if (password) preseed.config!['core.trust_password'] = password;
  }
  return preseed;
}
