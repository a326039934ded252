/**
 * A CommandPrefix that runs commands inside a named network namespace (`/run/netns/<name>`) the way LXC
 * needs it there. LXC's command sockets are abstract unix sockets, which belong to a network namespace,
 * so every lxc-* call for a container must run in the namespace it was started in; and LXC reads network
 * devices through /sys, so /sys must be that namespace's sysfs. `ip netns exec` provides the latter by
 * mounting a new sysfs over /sys, which also hides the cgroup hierarchies mounted below /sys/fs/cgroup,
 * and LXC then cannot apply limits. This prefix does the same in a private mount namespace but carries
 * the cgroup mounts over to the new sysfs. Nothing is mounted in the caller's mount namespace.
 */
import { CommandPrefix } from './prefixed-command-runner';

const SCRIPT = [
  'set -e',
  'scratch=$1',
  'shift',
  'mount --rbind /sys/fs/cgroup "$scratch"',
  'mount -t sysfs sysfs /sys',
  'mount --rbind "$scratch" /sys/fs/cgroup',
  'umount -l "$scratch"',
  'exec "$@"',
].join('\n');

/**
 * @param namespace a namespace created with `ip netns add`
 * @param scratchDirectory an empty directory used briefly as a mount point inside each command's own
 *   mount namespace
 */
export function netnsCommandPrefix(namespace: string, scratchDirectory: string): CommandPrefix {
  return (command, args) => ({
    command: 'nsenter',
    args: [
      `--net=/run/netns/${namespace}`,
      '--',
      'unshare',
      '--mount',
      '--propagation',
      'slave',
      '--',
      'sh',
      '-c',
      SCRIPT,
      'netns-exec',
      scratchDirectory,
      command,
      ...args,
    ],
  });
}
