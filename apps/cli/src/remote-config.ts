import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CubedError } from './cubed-error';
import { goYamlDocument } from './go-yaml';
import { yamlLibrary } from './lazy-libraries';
import { isObject } from './go-shapes';

/** A remote daemon in the client configuration (lxc's config.Remote). */
export interface Remote {
  addr: string;
  auth_type?: string;
  domain?: string;
  project?: string;
  protocol?: string;
  public: boolean;
  /** Built in and never written to the file (`local`). */
  static?: boolean;
}

/** The local daemon over its unix socket ($CUBED_DIR/unix.socket); always present and cannot be removed. */
export const LOCAL_REMOTE_NAME = 'local';
const LOCAL_REMOTE: Remote = { addr: 'unix://', public: false, static: true };

/** The directory of the client configuration: $CUBE_CONF, else ~/.config/cube (lxc: $LXD_CONF, ~/.config/lxc). */
export function configDirectory(env: NodeJS.ProcessEnv): string {
  if (env.CUBE_CONF) return env.CUBE_CONF;
  return path.join(env.HOME || os.homedir(), '.config', 'cube');
}

/**
 * The client configuration, `config.yml` in the configuration directory, in lxc's format:
 *
 *     default-remote: local
 *     remotes:
 *       local:
 *         addr: unix://
 *         public: false
 *       r1:
 *         addr: https://10.0.0.1:8443
 *         auth_type: tls
 *         protocol: lxd
 *         public: false
 *     aliases: {}
 *
 * Beside it: the client certificate (`client.crt`, `client.key`) and the trusted server certificates
 * (`servercerts/<remote>.crt`). $CUBE_REMOTE overrides the default remote.
 */
export class RemoteConfig {
  defaultRemote: string;
  readonly remotes: Map<string, Remote>;
  readonly aliases: Record<string, string>;

  private constructor(
    readonly dir: string,
    defaultRemote: string,
    remotes: Map<string, Remote>,
    aliases: Record<string, string>,
  ) {
    this.defaultRemote = defaultRemote;
    this.remotes = remotes;
    this.aliases = aliases;
  }

  /** Reads the configuration; without a file, the default one (only `local`). */
  static load(env: NodeJS.ProcessEnv): RemoteConfig {
    const dir = configDirectory(env);
    const file = path.join(dir, 'config.yml');
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new CubedError(`Unable to read the configuration file: ${(err as Error).message}`);
      }
    }
    const remotes = new Map<string, Remote>();
    let defaultRemote = '';
    let aliases: Record<string, string> = {};
    if (text !== undefined) {
      let doc: unknown;
      try {
        doc = yamlLibrary().parse(text, { version: '1.1' });
      } catch (err) {
        throw new CubedError(`Unable to decode the configuration: ${(err as Error).message}`);
      }
      const raw = isObject(doc) ? doc : {};
      if (typeof raw['default-remote'] === 'string') defaultRemote = raw['default-remote'];
      if (isObject(raw.aliases))
        aliases = Object.fromEntries(Object.entries(raw.aliases).map(([k, v]) => [k, String(v)]));
      if (isObject(raw.remotes)) {
        for (const [name, value] of Object.entries(raw.remotes)) {
          const remote = readRemote(value);
          if (!remote.public && !remote.auth_type) remote.auth_type = 'tls';
          remotes.set(name, remote);
        }
      }
    }
    const local = remotes.get(LOCAL_REMOTE_NAME);
    remotes.set(LOCAL_REMOTE_NAME, { ...LOCAL_REMOTE, ...(local?.project ? { project: local.project } : {}) });
    if (env.CUBE_REMOTE) defaultRemote = env.CUBE_REMOTE;
    else if (defaultRemote === '') defaultRemote = LOCAL_REMOTE_NAME;
    return new RemoteConfig(dir, defaultRemote, remotes, aliases);
  }

  get file(): string {
    return path.join(this.dir, 'config.yml');
  }

  get clientCertificatePath(): string {
    return path.join(this.dir, 'client.crt');
  }

  get clientKeyPath(): string {
    return path.join(this.dir, 'client.key');
  }

  get serverCertificateDir(): string {
    return path.join(this.dir, 'servercerts');
  }

  /** Where the trusted certificate of a remote is kept. */
  serverCertificatePath(remote: string): string {
    return path.join(this.serverCertificateDir, `${remote}.crt`);
  }

  /**
   * Splits `[<remote>:]<name>` (lxc's ParseRemote): without a colon, the default remote. A prefix that is not a
   * remote is an error.
   */
  parseRemote(raw: string): { remote: string; name: string } {
    const colon = raw.indexOf(':');
    if (colon < 0) return { remote: this.defaultRemote, name: raw };
    const remote = raw.slice(0, colon);
    if (!this.remotes.has(remote)) throw new CubedError(`The remote "${remote}" doesn't exist`);
    return { remote, name: raw.slice(colon + 1) };
  }

  /** The remote named `name`, or an error naming it. */
  remote(name: string): Remote {
    const remote = this.remotes.get(name);
    if (!remote) throw new CubedError(`The remote "${name}" doesn't exist`);
    return remote;
  }

  /** Writes config.yml (static remotes other than `local` are left out, as lxc does). */
  save(): void {
    const remotes: Record<string, unknown> = {};
    for (const name of [...this.remotes.keys()].sort()) {
      const r = this.remotes.get(name)!;
      if (r.static && name !== LOCAL_REMOTE_NAME) continue;
      remotes[name] = {
        addr: r.addr,
        ...(r.auth_type ? { auth_type: r.auth_type } : {}),
        ...(r.domain ? { domain: r.domain } : {}),
        ...(r.project ? { project: r.project } : {}),
        ...(r.protocol ? { protocol: r.protocol } : {}),
        public: r.public,
      };
    }
    const aliases = Object.fromEntries(
      Object.keys(this.aliases)
        .sort()
        .map((k) => [k, this.aliases[k]]),
    );
    const text = goYamlDocument({ 'default-remote': this.defaultRemote, remotes, aliases });
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, text, { mode: 0o644 });
      fs.renameSync(temporary, this.file);
    } catch (err) {
      fs.rmSync(temporary, { force: true });
      throw new CubedError(`Unable to write the configuration: ${(err as Error).message}`);
    }
  }
}

function readRemote(value: unknown): Remote {
  const raw = isObject(value) ? value : {};
  const text = (key: string) => (typeof raw[key] === 'string' && raw[key] !== '' ? (raw[key] as string) : undefined);
  const remote: Remote = { addr: text('addr') ?? '', public: raw.public === true };
  for (const key of ['auth_type', 'domain', 'project', 'protocol'] as const) {
    const v = text(key);
    if (v !== undefined) remote[key] = v;
  }
  return remote;
}
