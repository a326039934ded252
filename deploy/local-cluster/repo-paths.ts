/** Where the checkout's built binaries are, found from this file's location (source or compiled). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RepoPaths {
  root: string;
  /** bin/cubed: the daemon, `cubed init`, `cubed shutdown`. */
  cubed: string;
  /** bin/cube: the client. */
  cube: string;
}

export function findRepo(from: string = __dirname): RepoPaths {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'bin', 'cubed')) && fs.existsSync(path.join(dir, 'package.json'))) {
      return { root: dir, cubed: path.join(dir, 'bin', 'cubed'), cube: path.join(dir, 'bin', 'cube') };
    }
    if (path.dirname(dir) === dir) throw new Error(`no checkout with bin/cubed above ${from}`);
  }
}

/** Throws unless `npm run build` has produced the daemon and the client. */
export function assertBuilt(repo: RepoPaths): void {
  const missing = ['dist/apps/daemon/apps/daemon/src/main.js', 'dist/apps/cli/apps/cli/src/main.js'].filter((f) => !fs.existsSync(path.join(repo.root, f)));
  if (missing.length) throw new Error(`${missing.join(' and ')} missing: run npm run build first (in ${repo.root})`);
}
