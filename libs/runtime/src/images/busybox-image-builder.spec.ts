import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeCommandRunner } from '../process/node-command-runner';
import { buildBusyboxImage, lxdArchitecture } from './busybox-image-builder';
import { ImageStore } from './image-store';

describe('buildBusyboxImage', () => {
  let base: string;
  const runner = new NodeCommandRunner();
  const creationDate = new Date('2026-01-01T00:00:00Z');

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-busybox-'));
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('builds a valid unified image with busybox, its applets, an inittab and a hostname template', async () => {
    const built = await buildBusyboxImage({ outputPath: path.join(base, 'busybox.tar.gz'), runner, creationDate });
    expect(built.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(built.busyboxVersion).toMatch(/^\d+\.\d+/);
    expect(fs.readdirSync(base)).toEqual(['busybox.tar.gz']);

    const image = await new ImageStore(path.join(base, 'images'), { runner }).importTarball(built.path);
    expect(image.fingerprint).toBe(built.fingerprint);
    expect(image.metadata).toMatchObject({
      architecture: lxdArchitecture(process.arch),
      creationDate: 1767225600,
      properties: { os: 'BusyBox', release: built.busyboxVersion },
      templates: { '/etc/hostname': { when: ['create', 'copy'], template: 'hostname.tpl', createOnly: false } },
    });
    const rootfs = image.rootfsPath;
    expect(fs.readlinkSync(path.join(rootfs, 'bin/sh'))).toBe('/bin/busybox');
    expect(fs.readlinkSync(path.join(rootfs, 'sbin/init'))).toBe('/bin/busybox');
    expect(fs.statSync(path.join(rootfs, 'bin/busybox')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(rootfs, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(fs.readFileSync(path.join(rootfs, 'etc/inittab'), 'utf8')).toContain('::sysinit:/bin/hostname -F /etc/hostname');
    expect(fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
    expect(fs.readFileSync(path.join(image.templatesPath, 'hostname.tpl'), 'utf8')).toBe('{{ container.name }}\n');
  });

  it('is reproducible: the same busybox and date give the same fingerprint', async () => {
    const a = await buildBusyboxImage({ outputPath: path.join(base, 'a.tar.gz'), runner, creationDate });
    const b = await buildBusyboxImage({ outputPath: path.join(base, 'b.tar.gz'), runner, creationDate });
    const c = await buildBusyboxImage({ outputPath: path.join(base, 'c.tar.gz'), runner, creationDate: new Date('2026-01-02T00:00:00Z') });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it('refuses a dynamically linked busybox or a missing one', async () => {
    await expect(buildBusyboxImage({ outputPath: path.join(base, 'x.tar.gz'), runner, creationDate, busyboxPath: process.execPath })).rejects.toThrow(
      /is dynamically linked/,
    );
    await expect(
      buildBusyboxImage({ outputPath: path.join(base, 'x.tar.gz'), runner, creationDate, busyboxPath: path.join(base, 'nope') }),
    ).rejects.toThrow(/Cannot read busybox/);
  });

  it('is available as a script', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = path.resolve(__dirname, '../../../../deploy/images/build-busybox-image.sh');
    const output = execFileSync(script, [path.join(base, 'script.tar.gz'), '--creation-date', '2026-01-01T00:00:00Z'], { encoding: 'utf8' });
    const a = await buildBusyboxImage({ outputPath: path.join(base, 'a2.tar.gz'), runner, creationDate });
    expect(output).toContain(`fingerprint ${a.fingerprint}`);
  });
});
