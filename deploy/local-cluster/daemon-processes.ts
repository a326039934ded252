/**
 * Finding the cubed daemons that run on state directories under a given directory: every process
 * whose command line is the daemon (dist/apps/daemon/.../main.js, with no subcommand or `daemon`)
 * and whose environment's CUBED_DIR lies inside it. This finds members restarted by hand too, and
 * never matches a client (`cube`, `cubed sql`) that has the same CUBED_DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive, processEnvironment } from './process-control';

const DAEMON_MAIN = path.join('dist', 'apps', 'daemon', 'apps', 'daemon', 'src', 'main.js');

export interface DaemonProcess {
  pid: number;
  /** Its CUBED_DIR, resolved. */
  cubedDir: string;
}

function commandLine(pid: number): string[] | undefined {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

function isDaemonCommand(argv: string[]): boolean {
  const main = argv.findIndex((a) => a.endsWith(DAEMON_MAIN));
  if (main < 0) return false;
  const rest = argv.slice(main + 1);
  return rest.length === 0 || (rest.length === 1 && rest[0] === 'daemon');
}

const inside = (dir: string, root: string): boolean => dir === root || dir.startsWith(root + path.sep);

export function findCubedDaemons(root: string): DaemonProcess[] {
  const resolvedRoot = path.resolve(root);
  const found: DaemonProcess[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const argv = commandLine(pid);
    if (!argv || !isDaemonCommand(argv)) continue;
    const dir = processEnvironment(pid)?.get('CUBED_DIR');
    if (dir && inside(path.resolve(dir), resolvedRoot) && isAlive(pid)) found.push({ pid, cubedDir: path.resolve(dir) });
  }
  return found.sort((a, b) => a.cubedDir.localeCompare(b.cubedDir));
}
