import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { isRuntimeError } from '../errors/runtime-error';
import { NodeCommandRunner } from '../process/node-command-runner';
import { buildTar, buildTarGz, minimalImageEntries } from '../testing/tar-builder';
import { fingerprintFile } from './image-fingerprint';
import { ImageStore } from './image-store';

describe('ImageStore', () => {
  let base: string;
  let store: ImageStore;
  const runner = new NodeCommandRunner();

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-images-'));
    store = new ImageStore(path.join(base, 'images'), { runner });
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  function tarball(name: string, content: Buffer): string {
    const file = path.join(base, name);
    fs.writeFileSync(file, content);
    return file;
  }

  it('unpacks an image once, under its fingerprint, with owners and modes', async () => {
    const file = tarball(
      'image.tar.gz',
      buildTarGz(
        minimalImageEntries([
          { path: 'rootfs/home', type: 'directory' },
          { path: 'rootfs/home/user', type: 'directory', uid: 1000, gid: 1000, mode: 0o700 },
          { path: 'rootfs/bin', type: 'directory' },
          { path: 'rootfs/bin/tool', content: '#!/bin/sh\n', mode: 0o4755 },
          { path: 'rootfs/bin/link', type: 'symlink', linkTarget: '/bin/tool' },
          { path: 'rootfs/dev', type: 'directory' },
          { path: 'rootfs/dev/null', type: 'char-device', devMajor: 1, devMinor: 3 },
          { path: 'rootfs/dev/console', content: 'not extracted' },
        ]),
      ),
    );
    const fingerprint = await fingerprintFile(file);
    const image = await store.importTarball(file);
    expect(image.fingerprint).toBe(fingerprint);
    expect(image.directory).toBe(path.join(base, 'images', fingerprint));
    expect(image.metadata.templates['/etc/hostname'].template).toBe('hostname.tpl');
    const user = fs.statSync(path.join(image.rootfsPath, 'home/user'));
    expect([user.uid, user.gid, user.mode & 0o7777]).toEqual([1000, 1000, 0o700]);
    expect(fs.statSync(path.join(image.rootfsPath, 'bin/tool')).mode & 0o7777).toBe(0o4755);
    expect(fs.readlinkSync(path.join(image.rootfsPath, 'bin/link'))).toBe('/bin/tool');
    expect(fs.readdirSync(path.join(image.rootfsPath, 'dev'))).toEqual([]);
    expect(fs.readFileSync(path.join(image.templatesPath, 'hostname.tpl'), 'utf8')).toBe('{{ container.name }}\n');

    fs.writeFileSync(path.join(image.rootfsPath, 'marker'), 'kept');
    const again = await store.importTarball(file);
    expect(again.directory).toBe(image.directory);
    expect(fs.existsSync(path.join(image.rootfsPath, 'marker'))).toBe(true);
    expect((await store.list()).map((i) => i.fingerprint)).toEqual([fingerprint]);
    expect((await store.get(fingerprint)).rootfsPath).toBe(image.rootfsPath);
  });

  it('reads uncompressed and xz tarballs too', async () => {
    const plain = tarball('plain.tar', buildTar(minimalImageEntries()));
    expect((await store.importTarball(plain)).metadata.architecture).toBe('x86_64');
    const xz = tarball('image.tar', buildTar(minimalImageEntries([{ path: 'rootfs/xz', content: 'xz' }])));
    execFileSync('xz', ['-z', xz]);
    const image = await store.importTarball(`${xz}.xz`);
    expect(fs.readFileSync(path.join(image.rootfsPath, 'xz'), 'utf8')).toBe('xz');
  });

  it('refuses a hostile tarball before writing anything', async () => {
    const file = tarball(
      'evil.tar.gz',
      buildTarGz(
        minimalImageEntries([
          { path: 'rootfs/etc/cron', type: 'symlink', linkTarget: path.join(base, 'victim') },
          { path: 'rootfs/etc/cron/evil', content: 'x' },
        ]),
      ),
    );
    await expect(store.importTarball(file)).rejects.toThrow(/below the symbolic link "rootfs\/etc\/cron"/);
    expect(fs.existsSync(path.join(base, 'victim'))).toBe(false);
    expect(fs.existsSync(path.join(base, 'images')) ? fs.readdirSync(path.join(base, 'images')) : []).toEqual([]);
  });

  it('reports unreadable and corrupt tarballs clearly', async () => {
    await expect(store.importTarball(path.join(base, 'missing.tar.gz'))).rejects.toThrow(/Cannot read image tarball/);
    const garbage = tarball('garbage.tar.gz', Buffer.concat([gzipSync(Buffer.from('x')).subarray(0, 10), Buffer.from('not gzip')]));
    const error = await store.importTarball(garbage).catch((e: Error) => e);
    expect(isRuntimeError(error, 'InvalidArgument')).toBe(true);
  });

  it('lets concurrent imports of one tarball end with one image', async () => {
    const file = tarball('image.tar.gz', buildTarGz(minimalImageEntries()));
    const images = await Promise.all([store.importTarball(file), store.importTarball(file), store.importTarball(file)]);
    expect(new Set(images.map((i) => i.directory)).size).toBe(1);
    expect(fs.readdirSync(path.join(base, 'images'))).toEqual([images[0].fingerprint]);
  });

  it('deletes images', async () => {
    const image = await store.importTarball(tarball('image.tar.gz', buildTarGz(minimalImageEntries())));
    await store.delete(image.fingerprint);
    expect(fs.readdirSync(path.join(base, 'images'))).toEqual([]);
    await expect(store.get(image.fingerprint)).rejects.toThrow(/is not in the store/);
    await expect(store.delete('nothex')).rejects.toThrow(/Invalid image fingerprint/);
  });
});
