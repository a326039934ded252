import * as path from 'node:path';

export const DEFAULT_STATE_DIR = '/var/lib/cubed';

/** The daemon's state directory: `$CUBED_DIR`, or /var/lib/cubed. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.CUBED_DIR || DEFAULT_STATE_DIR);
}

/** The local API socket inside a state directory. */
export function unixSocketPath(dir: string): string {
  return path.join(dir, 'unix.socket');
}
