/**
 * What `cluster:up --netns` shows once its members run in their own network namespaces: a Fan
 * network (`lcfan0`, 240.0.0.0/8 over the 192.168.0.0/16 underlay), a busybox image built from
 * the host's busybox-static, and one container per member on the Fan, placed with --target; then
 * a ping from the first member's container to the second's, across the overlay.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningMember } from './bring-up';
import { socketPathOf } from './cluster-state';
import { LxdApi } from './lxd-api';
import type { RepoPaths } from './repo-paths';

export const DEMO_NETWORK = 'lcfan0';
export const DEMO_IMAGE_ALIAS = 'busybox';

export interface DemoContainer {
  name: string;
  member: string;
  address: string;
}

function lxc(member: RunningMember, args: string[]): string {
  const r = spawnSync('lxc', args, { env: { ...process.env, LXD_DIR: member.dir }, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`lxc ${args.join(' ')}: ${r.error.message} (install Debian's lxd-client)`);
  if (r.status !== 0) throw new Error(`lxc ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Creates the Fan network, imports the image and starts a container on every member. */
export async function setUpFanDemo(repo: RepoPaths, members: RunningMember[], workDir: string, log: (line: string) => void): Promise<DemoContainer[]> {
  const first = members[0];
  log(`creating the Fan network ${DEMO_NETWORK} on every member`);
  lxc(first, ['network', 'create', DEMO_NETWORK, 'bridge.mode=fan']);
  const tarball = path.join(workDir, 'busybox.tar.gz');
  log('building a busybox image from the host\'s busybox-static');
  fs.mkdirSync(workDir, { recursive: true });
  execFileSync(path.join(repo.root, 'deploy', 'images', 'build-busybox-image.sh'), [tarball], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  lxc(first, ['image', 'import', tarball, '--alias', DEMO_IMAGE_ALIAS]);
  const containers: DemoContainer[] = [];
  const api = new LxdApi(socketPathOf(first.dir));
  try {
    for (const member of members) {
      const name = `c-${member.name}`;
      log(`launching ${name} on ${member.name}`);
      lxc(first, ['launch', DEMO_IMAGE_ALIAS, name, '--target', member.name, '--network', DEMO_NETWORK]);
      const instance = await api.get<{ config: Record<string, string> }>(`/1.0/instances/${name}`);
      containers.push({ name, member: member.name, address: instance.config['volatile.eth0.ipv4.address'] ?? '' });
    }
  } finally {
    api.close();
  }
  return containers;
}

/** `lxc exec <first> -- ping -c 3 <second's address>`, printed as it runs; true when it got replies. */
export function pingAcross(members: RunningMember[], from: DemoContainer, to: DemoContainer, say: (line: string) => void): boolean {
  say(`$ lxc exec ${from.name} -- ping -c 3 ${to.address}     # ${from.member} → ${to.member} over the Fan`);
  const r = spawnSync('lxc', ['exec', from.name, '--', 'ping', '-c', '3', '-W', '2', to.address], {
    env: { ...process.env, LXD_DIR: members[0].dir },
    stdio: 'inherit',
    timeout: 30_000,
  });
  return r.status === 0;
}
