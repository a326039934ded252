/**
 * `cubed init`: configures a running daemon like `lxd init` — interactively, with `--auto` and
 * flags, or from a preseed (`--preseed [file]`, else standard input); `--dump` prints the current
 * configuration as a preseed.
 */
import * as fs from 'node:fs';
import YAML from 'yaml';
import { applyPreseed } from './apply-preseed';
import { askInitQuestions } from './init-questions';
import { LocalApi } from './local-api';
import { parsePreseed, type Preseed } from './preseed';
import { ReadlinePrompter } from './prompter';

export interface InitOptions {
  auto?: boolean;
  preseed?: boolean | string;
  dump?: boolean;
  networkAddress?: string;
  networkPort?: string;
  trustPassword?: string;
  storageBackend?: string;
}

export interface InitIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  readStdin(): Promise<string>;
}

export async function runInit(socketPath: string, opts: InitOptions, io: InitIo): Promise<void> {
  const modes = [opts.auto, opts.preseed !== undefined && opts.preseed !== false, opts.dump].filter(Boolean).length;
  if (modes > 1) throw new Error('Can only use one of --auto, --preseed and --dump');
  if (!opts.auto && (opts.networkAddress || opts.networkPort || opts.trustPassword || opts.storageBackend)) {
    throw new Error('Configuration flags require --auto');
  }
  const api = new LocalApi(socketPath);
  try {
    if (opts.dump) {
      io.stdout.write(YAML.stringify(await dump(api)));
      return;
    }
    let preseed: Preseed;
    if (opts.preseed !== undefined && opts.preseed !== false) {
      const text = typeof opts.preseed === 'string' ? fs.readFileSync(opts.preseed, 'utf8') : await io.readStdin();
      preseed = parsePreseed(text);
    } else if (opts.auto) {
      preseed = autoPreseed(opts);
    } else {
      const prompter = new ReadlinePrompter(io.stdin, io.stdout);
      try {
        preseed = await askInitQuestions(prompter);
        if (await prompter.confirm('Would you like a YAML "cubed init" preseed to be printed?', false)) {
          io.stdout.write(`${YAML.stringify(preseed)}\n`);
        }
      } finally {
        prompter.close();
      }
    }
    await applyPreseed(api, preseed);
  } finally {
    api.close();
  }
}

/** `--auto`: the network address and trust password from the flags; the storage backend when given. */
export function autoPreseed(opts: InitOptions): Preseed {
  const preseed: Preseed = { config: {} };
  if (opts.networkPort && !/^\d+$/.test(opts.networkPort)) throw new Error(`Invalid --network-port "${opts.networkPort}"`);
  if (opts.networkAddress) {
    const host = opts.networkAddress.includes(':') ? `[${opts.networkAddress}]` : opts.networkAddress;
    preseed.config!['core.https_address'] = `${host}:${opts.networkPort ?? '8443'}`;
  } else if (opts.networkPort) {
    throw new Error('--network-port requires --network-address');
  }
  if (opts.trustPassword) preseed.config!['core.trust_password'] = opts.trustPassword;
  if (opts.storageBackend) {
    if (opts.storageBackend !== 'dir') throw new Error(`Unsupported storage backend "${opts.storageBackend}": Cubed supports dir`);
    preseed.storage_pools = [{ name: 'default', driver: 'dir' }];
    preseed.profiles = [{ name: 'default', devices: { root: { path: '/', pool: 'default', type: 'disk' } } }];
  }
  return preseed;
}

async function dump(api: LocalApi): Promise<Preseed> {
  const server = await api.call<{ config: Record<string, unknown> }>('GET', '/1.0');
  const profiles = await api.call<{ name: string; description: string; config: Record<string, string>; devices: Record<string, Record<string, string>> }[]>('GET', '/1.0/profiles?recursion=1');
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(server.config)) if (typeof v === 'string') config[k] = v;
  return {
    config,
    profiles: profiles.map((p) => ({ name: p.name, description: p.description, config: p.config, devices: p.devices })),
  };
}
