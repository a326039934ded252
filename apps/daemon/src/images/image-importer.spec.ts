import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventBus } from '../events/event-bus';
import type { RequestContext } from '../http/request-context';
import type { ImageCatalog, NewImage } from './image-catalog';
import { ImageExistsError } from './image-errors';
import { ImageImporter, ImageImportError } from './image-importer';
import { ImageLocks } from './image-locks';
import type { ImageRecord } from './image-record';
import type { ImageReplicator } from './image-replicator';
import type { LocalImageFiles } from './local-image-files';
import type { LocalNode } from './local-node';
import type { ReceivedUpload } from './upload/image-upload';

const FP = 'ab'.repeat(32);
const ctx: RequestContext = { trusted: true, protocol: 'unix', address: '@', username: 'root' };
const metadata = { architecture: 'x86_64', creationDate: 1714557600, properties: { os: 'BusyBox', release: '1' }, templates: {} };

describe('ImageImporter', () => {
  let dir: string;
  let created: NewImage[];
  let existing: ImageRecord | undefined;
  let kept: boolean;
  let removed: string[];
  let replicateError: Error | undefined;
  let createError: Error | undefined;
  let events: EventBus;
  let importer: ImageImporter;

  const unified = (): ReceivedUpload => {
    const work = fs.mkdtempSync(path.join(dir, 'upload-'));
    fs.writeFileSync(path.join(work, 'image'), 'bytes');
    return { kind: 'unified', tarball: path.join(work, 'image'), fingerprint: FP, size: 5, filename: 'busybox.tar.gz' };
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-importer-spec-'));
    created = [];
    existing = undefined;
    kept = false;
    removed = [];
    replicateError = undefined;
    createError = undefined;
    events = new EventBus();
    const catalog: Pick<ImageCatalog, 'find' | 'projectOf' | 'projectCount' | 'create'> = {
      find: async () => existing ?? (created.length ? ({ fingerprint: FP, project: 'default', type: 'container' } as ImageRecord) : undefined),
      projectOf: async (p) => p ?? 'default',
      projectCount: async () => created.length,
      create: async (image) => {
        if (createError) throw createError;
        created.push(image);
      },
    };
    const files: Pick<LocalImageFiles, 'file' | 'unpacked' | 'adopt' | 'remove'> = {
      file: async () => (kept ? { path: '/x', size: 5 } : undefined),
      unpacked: async () => ({ fingerprint: FP, directory: '/x', rootfsPath: '/x/rootfs', templatesPath: '/x/templates', metadata }),
      adopt: async () => {
        kept = true;
        return { fingerprint: FP, directory: '/x', rootfsPath: '/x/rootfs', templatesPath: '/x/templates', metadata };
      },
      remove: async (fp) => {
        removed.push(fp);
        kept = false;
        return true;
      },
    };
    const replicator: Pick<ImageReplicator, 'replicate'> = {
      replicate: async () => {
        if (replicateError) throw replicateError;
      },
    };
    const localNode: Pick<LocalNode, 'id'> = { id: async () => 2 };
    importer = new ImageImporter(catalog as ImageCatalog, files as LocalImageFiles, new ImageLocks(), localNode as LocalNode, replicator as ImageReplicator, events);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const request = (headers: Partial<{ public: boolean; properties: Record<string, string>; expectedFingerprint: string }> = {}) => ({
    project: 'default',
    headers: { filename: 'busybox.tar.gz', public: false, properties: {}, ...headers },
    aliases: [{ name: 'bb', description: '' }],
    ctx,
  });

  it('records the image with metadata.yaml properties overridden by the request, and tells who did it', async () => {
    const seen: unknown[] = [];
    events.subscribe(['lifecycle'], (e) => seen.push(e.metadata));
    const upload = unified();
    await importer.importUpload(upload, request({ public: true, properties: { release: '2' }, expectedFingerprint: FP }));
    expect(created).toEqual([
      expect.objectContaining({
        fingerprint: FP,
        project: 'default',
        public: true,
        properties: { os: 'BusyBox', release: '2' },
        createdAt: '2024-05-01T10:00:00Z',
        expiresAt: '1970-01-01T00:00:00Z',
        aliases: [{ name: 'bb', description: '' }],
        holderNodeId: 2,
      }),
    ]);
    expect(seen).toEqual([{ action: 'image-created', source: `/1.0/images/${FP}`, context: { type: 'container' }, requestor: { username: 'root', protocol: 'unix', address: '@' } }]);
    // The upload's temporary files are gone.
    expect(fs.existsSync(path.dirname(upload.kind === 'unified' ? upload.tarball : ''))).toBe(false);
  });

  it('refuses an upload whose fingerprint is not the announced one, without identifying it', async () => {
    const err = await importer.importUpload(unified(), request({ expectedFingerprint: 'cd'.repeat(32) })).catch((e: ImageImportError) => e);
    expect(err).toEqual(new ImageImportError(`fingerprints don't match, got ${FP} expected ${'cd'.repeat(32)}`));
    expect((err as ImageImportError).result).toBeUndefined();
    expect(created).toEqual([]);
  });

  it('refuses a duplicate with the fingerprint and size in the result', async () => {
    existing = { fingerprint: FP } as ImageRecord;
    await expect(importer.importUpload(unified(), request())).rejects.toMatchObject({ message: 'Image with same fingerprint already exists', result: { fingerprint: FP, size: '5' } });
  });

  it('maps a duplicate found while recording to the same error, and keeps no orphan copy', async () => {
    createError = new ImageExistsError();
    await expect(importer.importUpload(unified(), request())).rejects.toMatchObject({ message: 'Image with same fingerprint already exists', result: { fingerprint: FP, size: '5' } });
    expect(removed).toEqual([FP]);
  });

  it('refuses split images clearly', async () => {
    const upload: ReceivedUpload = { kind: 'split', metadata: path.join(dir, 'm'), rootfs: path.join(dir, 'r'), rootfsPart: 'rootfs', fingerprint: FP, size: 9, filename: 'r' };
    await expect(importer.importUpload(upload, request())).rejects.toMatchObject({ message: expect.stringMatching(/^Split images .* are not supported/), result: { fingerprint: FP } });
  });

  it('reports a failed synchronisation as LXD does, the image staying recorded', async () => {
    replicateError = new Error('member m3 could not fetch image');
    await expect(importer.importUpload(unified(), request())).rejects.toMatchObject({ message: 'Failed syncing image between nodes: member m3 could not fetch image', result: { fingerprint: FP } });
    expect(created).toHaveLength(1);
  });
});
