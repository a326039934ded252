import { Readable } from 'node:stream';
import { buildTar, minimalImageEntries, TarBuilderEntry } from '../testing/tar-builder';
import { normalizeMemberName, validateImageTarball } from './image-tarball-validator';

const validate = (entries: TarBuilderEntry[]) => validateImageTarball(Readable.from([buildTar(entries)]));

describe('validateImageTarball', () => {
  it('accepts a unified image and summarizes it', async () => {
    const summary = await validate(
      minimalImageEntries([
        { path: './rootfs/bin', type: 'directory' },
        { path: './rootfs/bin/busybox', content: 'ELF', mode: 0o755 },
        { path: 'rootfs/bin/sh', type: 'symlink', linkTarget: '/bin/busybox' },
        { path: 'rootfs/bin/ash', type: 'hardlink', linkTarget: './rootfs/bin/busybox' },
        { path: 'rootfs/usr/lib/x', type: 'symlink', linkTarget: '../../../../../etc' },
        { path: 'rootfs/run/fifo', type: 'fifo' },
        { path: 'rootfs/dev', type: 'directory' },
        { path: 'rootfs/dev/null', type: 'char-device', devMajor: 1, devMinor: 3 },
        { path: 'rootfs/dev/sda', type: 'block-device', devMajor: 8, devMinor: 0 },
      ]),
    );
    expect(summary.metadata.architecture).toBe('x86_64');
    expect(summary.templateFiles).toEqual(['hostname.tpl']);
    expect(summary.skippedEntries).toEqual(['rootfs/dev/null', 'rootfs/dev/sda']);
    expect(summary.rootfsEntries).toBe(10);
    expect(summary.contentBytes).toBe(6 + 3 + 21);
  });

  it('normalizes member names', () => {
    expect(normalizeMemberName('./rootfs//bin/')).toBe('rootfs/bin');
    expect(normalizeMemberName('.')).toBe('');
    expect(() => normalizeMemberName('/etc/passwd')).toThrow(/absolute paths are not allowed/);
    expect(() => normalizeMemberName('rootfs/../../etc')).toThrow(/".." is not allowed/);
  });

  it.each<[string, TarBuilderEntry[], RegExp]>([
    ['an absolute path', [{ path: '/etc/cron.d/evil', content: 'x' }], /"\/etc\/cron.d\/evil": absolute paths are not allowed/],
    ['a ".." path', [{ path: 'rootfs/../../../root/.ssh/authorized_keys', content: 'x' }], /".." is not allowed/],
    ['a ".." path in a PAX header', [{ path: 'rootfs/../../evil', content: 'x', paxPath: true }], /".." is not allowed/],
    [
      'an entry below a symlink of the archive',
      [
        { path: 'rootfs/etc/cron', type: 'symlink', linkTarget: '/etc/cron.d' },
        { path: 'rootfs/etc/cron/evil', content: 'x' },
      ],
      /below the symbolic link "rootfs\/etc\/cron"/,
    ],
    [
      'a symlink replaced by a directory',
      [
        { path: 'rootfs/x', type: 'symlink', linkTarget: '/' },
        { path: 'rootfs/x', type: 'directory' },
      ],
      /replaces a symbolic link with a directory/,
    ],
    ['a hard link to a host file', [{ path: 'rootfs/shadow', type: 'hardlink', linkTarget: '/etc/shadow' }], /absolute paths are not allowed/],
    [
      'a hard link through a symlink',
      [
        { path: 'rootfs/l', type: 'symlink', linkTarget: '/etc' },
        { path: 'rootfs/shadow', type: 'hardlink', linkTarget: 'rootfs/l/shadow' },
      ],
      /below the symbolic link "rootfs\/l"/,
    ],
    ['a hard link to a file not in the archive', [{ path: 'rootfs/h', type: 'hardlink', linkTarget: 'rootfs/missing' }], /earlier regular file of rootfs/],
    ['a device node outside /dev', [{ path: 'rootfs/root/sda', type: 'block-device', devMajor: 8 }], /device nodes are only allowed below rootfs\/dev/],
    ['a symlink as template', [{ path: 'templates/evil.tpl', type: 'symlink', linkTarget: '/etc/shadow' }], /templates must be regular files/],
    ['a symlink as /dev', [{ path: 'rootfs/dev', type: 'symlink', linkTarget: '/dev' }], /rootfs\/dev must be a directory/],
    ['an unexpected top-level entry', [{ path: 'manifest.json', content: '{}' }], /holds only metadata.yaml, rootfs\/ and templates\//],
  ])('refuses %s', async (_label, extra, message) => {
    await expect(validate(minimalImageEntries(extra))).rejects.toThrow(message);
  });

  it('refuses images without metadata, without rootfs, or with a template that is missing', async () => {
    await expect(validate([{ path: 'rootfs/a', content: 'x' }])).rejects.toThrow(/metadata.yaml is missing/);
    await expect(validate(minimalImageEntries().filter((e) => !e.path.startsWith('rootfs')))).rejects.toThrow(/split images are not supported/);
    await expect(validate(minimalImageEntries().filter((e) => e.path !== 'templates/hostname.tpl'))).rejects.toThrow(
      /template "hostname.tpl" for \/etc\/hostname is not in templates/,
    );
    await expect(validate([{ path: 'metadata.yaml', type: 'symlink', linkTarget: '/etc/passwd' }])).rejects.toThrow(/must be a regular file/);
  });
});
