/**
 * The environment of an exec as LXD builds it: the request's variables, then the instance's
 * `environment.<NAME>` config keys for names the request does not set, then defaults for what is
 * still missing: PATH (with /snap/bin or NixOS's system profile when the container has them),
 * HOME=/root and USER=root for commands run as root, and LANG=C.UTF-8.
 */

export const DEFAULT_EXEC_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Directories added to the default PATH when the container has the path they are keyed by. */
const EXTRA_PATHS: readonly (readonly [marker: string, directory: string])[] = [
  ['/snap', '/snap/bin'],
  ['/etc/NIXOS', '/run/current-system/sw/bin'],
];

export interface ExecEnvironmentInput {
  requested: Readonly<Record<string, string>>;
  /** The instance's configuration (its `environment.*` keys are used). */
  config: Readonly<Record<string, string>>;
  user: number;
  /** Whether a path exists inside the container. */
  exists: (path: string) => Promise<boolean>;
}

export async function execEnvironment(input: ExecEnvironmentInput): Promise<Record<string, string>> {
  const environment = new Map(Object.entries(input.requested));
  for (const [key, value] of Object.entries(input.config)) {
    if (!key.startsWith('environment.')) continue;
    const name = key.slice('environment.'.length);
    if (!environment.has(name)) environment.set(name, value);
  }
  if (!environment.has('PATH')) {
    let path = DEFAULT_EXEC_PATH;
    for (const [marker, directory] of EXTRA_PATHS) if (await input.exists(marker)) path = `${path}:${directory}`;
    environment.set('PATH', path);
  }
  if (input.user === 0) {
    if (!environment.has('HOME')) environment.set('HOME', '/root');
    if (!environment.has('USER')) environment.set('USER', 'root');
  }
  if (!environment.has('LANG')) environment.set('LANG', 'C.UTF-8');
  // Keys in order, as LXD's JSON lists map keys.
  return Object.fromEntries([...environment.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
