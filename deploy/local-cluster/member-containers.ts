/**
 * Containers outlive the daemon that started them (LXC keeps them running), so whatever removes a
 * member's state directory (cluster:down, a test that ends or fails) stops them first: every
 * container under the member's lxcpath is killed, whatever is mounted below the member's directory
 * is unmounted, and the containers' cgroups are removed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function quiet(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });
  } catch {
    return '';
  }
}

/** Stops and forgets every container of the member whose state directory is `dir`. */
export function cleanupMemberContainers(dir: string): void {
  const lxcPath = path.join(dir, 'containers');
  const names = fs.existsSync(lxcPath) ? fs.readdirSync(lxcPath).filter((n) => fs.existsSync(path.join(lxcPath, n, 'config'))) : [];
  for (const name of names) {
    quiet('lxc-unfreeze', ['-P', lxcPath, '-n', name]);
    quiet('lxc-stop', ['-k', '-P', lxcPath, '-n', name]);
  }
  const mounts = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined && mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mounts) quiet('umount', ['-l', mountPoint]);
  for (const name of names) {
    for (const hierarchy of fs.existsSync('/sys/fs/cgroup') ? fs.readdirSync('/sys/fs/cgroup') : []) {
      for (const group of [`lxc.payload.${name}`, `lxc.monitor.${name}`]) {
        const target = path.join('/sys/fs/cgroup', hierarchy, group);
        if (fs.existsSync(target)) {
          try {
            fs.rmdirSync(target);
          } catch {
            // busy: a process is still being reaped
          }
        }
      }
    }
  }
}
