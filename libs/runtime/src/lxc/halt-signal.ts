/**
 * The signal that makes a container's init shut down cleanly, guessed from what `/sbin/init` is:
 * busybox init halts on SIGUSR1, systemd on SIGRTMIN+3, sysvinit and most others on SIGPWR (LXC's default).
 */
import * as path from 'node:path';
import { ContainerFiles } from '../files/container-files';

export async function detectHaltSignal(files: ContainerFiles): Promise<string> {
  let resolved;
  try {
    resolved = await files.resolve('/sbin/init', true);
  } catch {
    return 'SIGPWR';
  }
  if (resolved.node === null) return 'SIGPWR';
  const name = path.posix.basename(resolved.path);
  if (name === 'busybox') return 'SIGUSR1';
  if (name === 'systemd') return 'SIGRTMIN+3';
  return 'SIGPWR';
}
