import * as fs from 'node:fs';
import { LxdClient, UnixClient } from './client';
import { readClientCertificate } from './client-certificate';
import { CubedError } from './cubed-error';
import { HttpsClient } from './https-client';
import type { Io } from './io';
import { socketPathFor } from './local-socket';
import { ProgressRenderer } from './progress-renderer';
import { RemoteConfig, type Remote } from './remote-config';
import { standardStreamsOf, type StandardStreams } from './standard-streams';
import { terminalOf, type Terminal } from './terminal';

/** The options every command takes (lxc's global flags). */
export interface GlobalOptions {
  /** --project: overrides the remote's project. */
  project?: string;
  /** -q, --quiet: no confirmation messages. */
  quiet?: boolean;
}

/** A `[<remote>:]<name>` argument resolved to its remote, its name and a client of the remote. */
export interface Resource {
  remote: string;
  name: string;
  client: LxdClient;
}

/**
 * What the commands of one `cube` invocation share: the Io, the global options, the client configuration (read
 * on first use) and one client per remote (kept open for the whole invocation: keep-alive).
 */
export class CliContext {
  /** The exit code of the invocation (exec sets the command's own); when an error ends it, 1 unless set. */
  exitCode = 0;
  private loaded: RemoteConfig | undefined;
  private byteStreams: StandardStreams | undefined;
  private readonly clients = new Map<string, LxdClient>();

  constructor(
    readonly io: Io,
    private readonly globals: () => GlobalOptions,
  ) {}

  /** --project, if given. */
  get project(): string | undefined {
    return this.globals().project;
  }

  get quiet(): boolean {
    return this.globals().quiet === true;
  }

  /** The client configuration ($CUBE_CONF/config.yml). */
  get config(): RemoteConfig {
    return (this.loaded ??= RemoteConfig.load(this.io.env));
  }

  out(text: string): void {
    this.io.stdout(text);
  }

  /** Standard input, output and error as bytes. */
  get streams(): StandardStreams {
    return (this.byteStreams ??= standardStreamsOf(this.io));
  }

  get terminal(): Terminal {
    return terminalOf(this.io);
  }

  /**
   * A progress line on standard error, shown only when standard error is a terminal and not in quiet mode, so
   * that standard output stays clean for scripts.
   */
  progress(format?: (status: string) => string): ProgressRenderer {
    const terminal = this.terminal;
    const output =
      this.quiet || !terminal.stderrIsTerminal
        ? undefined
        : { write: (text: string) => this.io.stderr(text), width: () => terminal.stderrWidth() };
    return new ProgressRenderer(output, format);
  }

  /** Resolves `[<remote>:]<name>` ('' or undefined: the default remote, no name) and connects to the remote. */
  resource(arg: string | undefined): Resource {
    const { remote, name } = this.config.parseRemote(arg ?? '');
    return { remote, name, client: this.connect(remote) };
  }

  /** A client of the remote (one per remote and invocation). */
  connect(remoteName: string): LxdClient {
    const cached = this.clients.get(remoteName);
    if (cached) return cached;
    const client = this.open(remoteName, this.config.remote(remoteName));
    this.clients.set(remoteName, client);
    return client;
  }

  /** Forgets a remote's client (after its trusted certificate changed). */
  disconnect(remoteName: string): void {
    this.clients.get(remoteName)?.close();
    this.clients.delete(remoteName);
  }

  /** Closes every connection. */
  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private open(name: string, remote: Remote): LxdClient {
    if (remote.public || remote.protocol === 'simplestreams')
      throw new CubedError("The remote isn't a private LXD server");
    const project = this.globals().project ?? remote.project;
    if (remote.addr.startsWith('unix:')) {
      const socket = remote.addr.replace(/^unix:/, '').replace(/^\/\//, '');
      return new UnixClient(socket === '' ? socketPathFor(this.io.env) : socket, 30_000, { project });
    }
    const config = this.config;
    const clientCertificate = readClientCertificate(config.clientCertificatePath, config.clientKeyPath);
    if (!clientCertificate) throw new CubedError('Missing TLS client certificate and key');
    let serverCertificate: string | undefined;
    try {
      serverCertificate = fs.readFileSync(config.serverCertificatePath(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new HttpsClient(remote.addr, { clientCertificate, serverCertificate, project });
  }
}
