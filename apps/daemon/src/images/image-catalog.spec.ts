import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Databases } from '../database/databases';
import { ImageAliasCatalog } from './image-alias-catalog';
import { ImageCatalog, type NewImage } from './image-catalog';
import { ImageExistsError } from './image-errors';
import { ImageHoldings } from './image-holdings';

const FP_A = 'aa11' + '0'.repeat(60);
const FP_B = 'aa22' + '0'.repeat(60);

function newImage(fingerprint: string, extra: Partial<NewImage> = {}): NewImage {
  return {
    project: 'default',
    fingerprint,
    filename: 'busybox.tar.gz',
    size: 1234,
    public: false,
    autoUpdate: false,
    architecture: 'x86_64',
    type: 'container',
    createdAt: '2024-05-01T10:00:00Z',
    expiresAt: '1970-01-01T00:00:00Z',
    uploadedAt: '2024-05-02T11:00:00.123Z',
    properties: { os: 'BusyBox', release: '1.35' },
    aliases: [],
    ...extra,
  };
}

describe('image catalog (a real standalone global database)', () => {
  let tmp: string;
  let databases: Databases;
  let images: ImageCatalog;
  let aliases: ImageAliasCatalog;
  let holdings: ImageHoldings;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'image-catalog-spec-'));
    databases = await Databases.open({ stateDir: tmp });
    await databases.cluster.ready();
    images = new ImageCatalog(databases);
    aliases = new ImageAliasCatalog(databases);
    holdings = new ImageHoldings(databases);
    await databases.global.exec({
      statements: [
        { sql: "INSERT INTO nodes (id, name, address, schema, api_extensions, arch, heartbeat, state) VALUES (5, 'm5', '10.0.0.5:8443', 1, 0, 2, '2024-01-01T00:00:00Z', 0)", params: [] },
        { sql: "INSERT INTO projects (name) VALUES ('own'), ('shared')", params: [] },
        { sql: "INSERT INTO projects_config (project_id, key, value) SELECT id, 'features.images', 'true' FROM projects WHERE name = 'own'", params: [] },
      ],
    });
    await images.create(newImage(FP_A, { aliases: [{ name: 'bb', description: 'busybox' }], holderNodeId: 5 }));
  });

  afterAll(async () => {
    await databases?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('records an image with its properties, aliases and holder', async () => {
    const image = await images.get('AA11', undefined);
    expect(image).toMatchObject({
      project: 'default',
      fingerprint: FP_A,
      size: 1234,
      architecture: 'x86_64',
      type: 'container',
      public: false,
      createdAt: '2024-05-01T10:00:00Z',
      uploadedAt: '2024-05-02T11:00:00.123Z',
      lastUsedAt: null,
      properties: { os: 'BusyBox', release: '1.35' },
      aliases: [{ name: 'bb', description: 'busybox' }],
    });
    expect(await holdings.holders(FP_A)).toEqual([{ nodeId: 5, name: 'm5', address: '10.0.0.5:8443', heartbeat: '2024-01-01T00:00:00Z' }]);
  });

  it('finds images by unique prefix: 404 for none, 400 for several, not found for non-hex', async () => {
    await images.create(newImage(FP_B));
    await expect(images.get('aa', undefined)).rejects.toMatchObject({ statusCode: 400, message: 'More than one image matches' });
    await expect(images.get('ff', undefined)).rejects.toMatchObject({ statusCode: 404, message: 'Image not found' });
    await expect(images.get('a%', undefined)).rejects.toMatchObject({ statusCode: 404 });
    expect((await images.get('aa2', undefined)).fingerprint).toBe(FP_B);
    expect((await images.list(undefined)).map((i) => i.fingerprint)).toEqual([FP_A, FP_B]);
    expect(await images.list(undefined, { publicOnly: true })).toEqual([]);
  });

  it('refuses a second import of the same fingerprint in a project, and a taken alias', async () => {
    await expect(images.create(newImage(FP_A))).rejects.toBeInstanceOf(ImageExistsError);
    const fp = 'cc' + '0'.repeat(62);
    await expect(images.create(newImage(fp, { aliases: [{ name: 'fresh', description: '' }, { name: 'bb', description: '' }] }))).rejects.toMatchObject({ statusCode: 409, message: 'Alias "bb" already exists' });
    // Nothing of the failed import was kept.
    expect(await images.find(fp, undefined)).toBeUndefined();
    expect(await aliases.list(undefined, { name: 'fresh' })).toEqual([]);
  });

  it('keeps images per project: its own with features.images, else the default project', async () => {
    expect(await images.projectOf('shared')).toBe('default');
    expect(await images.projectOf('own')).toBe('own');
    await expect(images.projectOf('missing')).rejects.toMatchObject({ statusCode: 404, message: 'Project not found' });
    expect((await images.list('shared')).map((i) => i.fingerprint)).toEqual([FP_A, FP_B]);
    await images.create(newImage(FP_A, { project: 'own' }));
    expect((await images.list('own')).map((i) => i.fingerprint)).toEqual([FP_A]);
    expect(await images.projectCount(FP_A)).toBe(2);
    // The copy on m5 serves both projects.
    await holdings.record(FP_A, 5);
    expect(await holdings.unrecorded([FP_A, FP_B], 5)).toEqual([FP_B]);
  });

  it('updates guarded by what was read: a stale state is a 412', async () => {
    const before = await images.get(FP_B, undefined);
    await images.update(before.id, before.state, { public: true, autoUpdate: true, properties: { os: 'Other' }, expiresAt: '2030-01-01T00:00:00Z' });
    const after = await images.get(FP_B, undefined);
    expect(after).toMatchObject({ public: true, autoUpdate: true, properties: { os: 'Other' }, expiresAt: '2030-01-01T00:00:00Z' });
    await expect(images.update(before.id, before.state, { public: false, autoUpdate: false, properties: {}, expiresAt: null })).rejects.toMatchObject({ statusCode: 412 });
    expect(await images.list(undefined, { publicOnly: true })).toHaveLength(1);
  });

  it('manages aliases: conflicts are 409, stale writes 412, a missing image 404', async () => {
    const b = await images.get(FP_B, undefined);
    await aliases.create('b2', b.id, 'second');
    await expect(aliases.create('b2', b.id, '')).rejects.toMatchObject({ statusCode: 409, message: 'Alias "b2" already exists' });
    await expect(aliases.create('b9', 99_999, '')).rejects.toMatchObject({ statusCode: 404, message: 'Image not found' });
    const alias = await aliases.get('b2', undefined);
    expect(alias).toMatchObject({ name: 'b2', target: FP_B, description: 'second', type: 'container' });
    await expect(aliases.rename(alias, 'bb')).rejects.toMatchObject({ statusCode: 409, message: 'Alias "bb" already exists' });
    const a = await images.get(FP_A, undefined);
    await aliases.update(alias, a.id, 'moved');
    await expect(aliases.update(alias, a.id, 'again')).rejects.toMatchObject({ statusCode: 412 });
    await expect(aliases.update(await aliases.get('b2', undefined), 99_999, '')).rejects.toMatchObject({ statusCode: 404, message: 'Image not found' });
    const moved = await aliases.get('b2', undefined);
    expect(moved).toMatchObject({ target: FP_A, description: 'moved' });
    await aliases.rename(moved, 'b3');
    await expect(aliases.get('b2', undefined)).rejects.toMatchObject({ statusCode: 404, message: 'Image alias not found' });
    await aliases.delete(await aliases.get('b3', undefined));
    expect((await aliases.list(undefined)).map((x) => x.name)).toEqual(['bb']);
    // Aliases of private images are hidden from untrusted clients.
    await expect(aliases.get('bb', undefined, { publicOnly: true })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('records use, and deletes an image with its rows', async () => {
    await images.recordUse(FP_A, 'default', '2025-01-01T00:00:00.000Z');
    const a = await images.get(FP_A, undefined);
    expect(a.lastUsedAt).toBe('2025-01-01T00:00:00.000Z');
    await images.delete(a.id);
    expect(await images.find(FP_A, undefined)).toBeUndefined();
    expect(await aliases.list(undefined)).toEqual([]);
    // The other project's image and its holding remain.
    expect(await holdings.holders(FP_A)).toHaveLength(1);
    await holdings.forget(FP_A, 5);
    expect(await holdings.holders(FP_A)).toEqual([]);
  });
});
