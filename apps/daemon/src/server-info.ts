import * as fs from 'node:fs';
import * as os from 'node:os';
import { packageVersion } from './version';

/** The `environment` object of GET /1.0 (the fields Cubed can fill today; more come with clustering/TLS). */
export interface ServerEnvironment {
  addresses: string[];
  architectures: string[];
  driver: string;
  kernel: string;
  kernel_architecture: string;
  kernel_version: string;
  os_name: string;
  os_version: string;
  project: string;
  server: string;
  server_clustered: boolean;
  server_name: string;
  server_pid: number;
  server_version: string;
  storage: string;
  storage_version: string;
  storage_supported_drivers: { Name: string; Version: string; Remote: boolean }[];
  server_event_mode?: string;
  certificate?: string;
  certificate_fingerprint?: string;
  firewall?: string;
}

/** The metadata of GET /1.0. */
export interface ServerInfo {
  config: Record<string, unknown>;
  api_extensions: string[];
  api_status: string;
  api_version: string;
  auth: string;
  public: boolean;
  auth_methods: string[];
  environment: ServerEnvironment;
}

/** Architectures the host kernel can run, in LXD's naming (the native one first, then its 32-bit personality). */
export function hostArchitectures(machine: string = os.machine()): string[] {
  const personalities: Record<string, string> = { x86_64: 'i686', aarch64: 'armv7l', ppc64le: 'ppc', s390x: 's390' };
  return personalities[machine] ? [machine, personalities[machine]] : [machine];
}

/** NAME and VERSION_ID from os-release(5), as LXD reports them (`Debian GNU/Linux`, `12`). */
export function readOsRelease(files = ['/etc/os-release', '/usr/lib/os-release']): { name: string; version: string } {
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const fields: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) fields[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
    }
    return { name: fields.NAME ?? '', version: fields.VERSION_ID ?? '' };
  }
  return { name: '', version: '' };
}

export function serverEnvironment(): ServerEnvironment {
  const release = readOsRelease();
  return {
    addresses: [],
    architectures: hostArchitectures(),
    driver: 'lxc',
    kernel: os.type(),
    kernel_architecture: os.machine(),
    kernel_version: os.release(),
    os_name: release.name,
    os_version: release.version,
    project: 'default',
    server: 'cubed',
    server_clustered: false,
    server_name: os.hostname(),
    server_pid: process.pid,
    server_version: packageVersion(),
    storage: 'dir',
    storage_version: '1',
    storage_supported_drivers: [{ Name: 'dir', Version: '1', Remote: false }],
  };
}

export function serverInfo(environment: ServerEnvironment, config: Record<string, unknown> = {}, trusted = true, extensions: readonly string[] = []): ServerInfo {
  return {
    config,
    api_extensions: [...extensions],
    api_status: 'stable',
    api_version: '1.0',
    auth: trusted ? 'trusted' : 'untrusted',
    public: false,
    auth_methods: ['tls'],
    environment,
  };
}
