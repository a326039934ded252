/**
 * Builds an LXD unified image tarball from a static busybox binary (Debian's busybox-static):
 * a root filesystem with busybox and a symlink per applet, an inittab for busybox init under LXC, a
 * template that writes the container's name to /etc/hostname, and metadata.yaml. All files belong to
 * root and carry the creation date, so the same busybox and date always give the same fingerprint.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { RuntimeError } from '../errors/runtime-error';
import { assertSucceeded, CommandRunner, describeCommand } from '../process/command-runner';
import { isStaticElf } from './elf-linkage';
import { fingerprintFile } from './image-fingerprint';

export interface BusyboxImageOptions {
  /** Where to write the `.tar.gz`; replaced atomically. */
  outputPath: string;
  runner: CommandRunner;
  /** Recorded as `creation_date` and as the mtime of every file. */
  creationDate: Date;
  /** Default `/bin/busybox`. */
  busyboxPath?: string;
  /** LXD architecture name; defaults to the host's. */
  architecture?: string;
  timeoutMs?: number;
}

export interface BuiltImage {
  path: string;
  fingerprint: string;
  sizeBytes: number;
  busyboxVersion: string;
}

const ARCHITECTURES: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  arm: 'armv7l',
  ia32: 'i686',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/**
 * busybox init: set the hostname from the rendered /etc/hostname and bring up loopback; no getty (LXC's
 * console is not a terminal line here). LXC stops the container with SIGUSR1 (halt), which runs the
 * shutdown actions.
 */
const INITTAB = `::sysinit:/bin/hostname -F /etc/hostname
::sysinit:/sbin/ip link set lo up
::sysinit:/bin/mkdir -p /run /var/log
::restart:/sbin/init
::shutdown:/bin/sync
`;

const PASSWD = `root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`;

const GROUP = `root:x:0:
nogroup:x:65534:
`;

const HOSTS = `127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
`;

const DIRECTORIES: ReadonlyArray<[string, number]> = [
  ['bin', 0o755],
  ['sbin', 0o755],
  ['usr', 0o755],
  ['usr/bin', 0o755],
  ['usr/sbin', 0o755],
  ['etc', 0o755],
  ['dev', 0o755],
  ['proc', 0o555],
  ['sys', 0o555],
  ['run', 0o755],
  ['tmp', 0o1777],
  ['root', 0o700],
  ['home', 0o755],
  ['mnt', 0o755],
  ['var', 0o755],
  ['var/log', 0o755],
];

export function lxdArchitecture(nodeArch: string): string {
  const name = ARCHITECTURES[nodeArch];
  if (!name) throw new RuntimeError('InvalidArgument', `No LXD architecture name for "${nodeArch}"`);
  return name;
}

async function writeFile(file: string, content: string | Buffer, mode: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content, { mode });
  await fs.chmod(file, mode);
}

export async function buildBusyboxImage(options: BusyboxImageOptions): Promise<BuiltImage> {
  const busyboxPath = options.busyboxPath ?? '/bin/busybox';
  const timeoutMs = options.timeoutMs ?? 120_000;
  const binary = await fs.readFile(busyboxPath).catch((error: Error) => {
    throw new RuntimeError('NotFound', `Cannot read busybox at ${busyboxPath}`, error.message);
  });
  let isStatic: boolean;
  try {
    isStatic = isStaticElf(binary);
  } catch (error) {
    throw new RuntimeError('InvalidArgument', `${busyboxPath} is not a usable executable`, (error as Error).message);
  }
  if (!isStatic) {
    throw new RuntimeError('InvalidArgument', `${busyboxPath} is dynamically linked; a container image needs a static busybox (Debian: busybox-static)`);
  }

  const list = await options.runner.run(busyboxPath, ['--list-full'], { timeoutMs });
  assertSucceeded(list, 'Cannot list the busybox applets', describeCommand(busyboxPath, ['--list-full']));
  const help = await options.runner.run(busyboxPath, ['--help'], { timeoutMs });
  const version = /BusyBox v(\S+)/.exec(help.stdout + help.stderr)?.[1];
  if (!version) throw new RuntimeError('Failed', `Cannot tell the version of ${busyboxPath}`, help.stderr || help.stdout);
  const applets = list.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'bin/busybox');
  for (const applet of applets) {
    if (applet.startsWith('/') || applet.split('/').includes('..')) {
      throw new RuntimeError('Failed', `Unexpected applet path "${applet}" from ${busyboxPath} --list-full`);
    }
  }

  const output = path.resolve(options.outputPath);
  await fs.mkdir(path.dirname(output), { recursive: true });
  const staging = await fs.mkdtemp(path.join(path.dirname(output), '.busybox-image-'));
  try {
    const rootfs = path.join(staging, 'rootfs');
    await fs.mkdir(rootfs, { mode: 0o755 });
    for (const [dir, mode] of DIRECTORIES) {
      await fs.mkdir(path.join(rootfs, dir), { recursive: true });
      await fs.chmod(path.join(rootfs, dir), mode);
    }
    await writeFile(path.join(rootfs, 'bin/busybox'), binary, 0o755);
    for (const applet of applets) {
      const link = path.join(rootfs, applet);
      await fs.mkdir(path.dirname(link), { recursive: true });
      await fs.symlink('/bin/busybox', link);
    }
    await writeFile(path.join(rootfs, 'etc/inittab'), INITTAB, 0o644);
    await writeFile(path.join(rootfs, 'etc/hostname'), 'busybox\n', 0o644);
    await writeFile(path.join(rootfs, 'etc/passwd'), PASSWD, 0o644);
    await writeFile(path.join(rootfs, 'etc/group'), GROUP, 0o644);
    await writeFile(path.join(rootfs, 'etc/hosts'), HOSTS, 0o644);
    await writeFile(path.join(staging, 'templates/hostname.tpl'), '{{ container.name }}\n', 0o644);

    const creationDate = Math.floor(options.creationDate.getTime() / 1000);
    const architecture = options.architecture ?? lxdArchitecture(process.arch);
    const metadata = {
      architecture,
      creation_date: creationDate,
      properties: {
        architecture,
        description: `BusyBox ${version}`,
        name: `busybox-${version}`,
        os: 'BusyBox',
        release: version,
      },
      templates: {
        '/etc/hostname': { when: ['create', 'copy'], create_only: false, template: 'hostname.tpl', properties: {} },
      },
    };
    await writeFile(path.join(staging, 'metadata.yaml'), stringifyYaml(metadata), 0o644);

    const tarball = path.join(staging, 'image.tar.gz');
    const args = [
      '--create',
      '--gzip',
      `--file=${tarball}`,
      `--directory=${staging}`,
      '--format=gnu',
      '--numeric-owner',
      '--owner=0',
      '--group=0',
      '--sort=name',
      `--mtime=@${creationDate}`,
      'metadata.yaml',
      'rootfs',
      'templates',
    ];
    const result = await options.runner.run('tar', args, { timeoutMs });
    assertSucceeded(result, 'Cannot pack the busybox image', describeCommand('tar', args));
    await fs.rename(tarball, output);
    const stat = await fs.stat(output);
    return { path: output, fingerprint: await fingerprintFile(output), sizeBytes: stat.size, busyboxVersion: version };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
