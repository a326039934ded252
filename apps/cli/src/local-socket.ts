import * as path from 'node:path';

/** The daemon's state directory when $CUBED_DIR is not set. */
export const DEFAULT_STATE_DIR = '/var/lib/cubed';

/** The local daemon's unix socket: $CUBED_DIR/unix.socket. */
export function socketPathFor(env: NodeJS.ProcessEnv): string {
  return path.join(path.resolve(env.CUBED_DIR || DEFAULT_STATE_DIR), 'unix.socket');
}
