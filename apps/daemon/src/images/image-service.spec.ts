import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { ClusterMembers } from '../cluster/cluster-members';
import { LxdError } from '../http/lxd-error';
import { StateDir } from '../identity/state-dir';
import type { ImageAliasCatalog } from './image-alias-catalog';
import type { ImageCatalog } from './image-catalog';
import type { ImageHolder, ImageHoldings } from './image-holdings';
import { ImageLocks } from './image-locks';
import type { ImageAliasRecord, ImageRecord } from './image-record';
import { ImageService, type TransferProgress } from './image-service';
import { LocalImageFiles } from './local-image-files';
import type { LocalNode } from './local-node';
import type { PeerImageTransport } from './transfer/peer-image-transport';

/** A small valid unified image tarball. */
function buildTarball(dir: string): Buffer {
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, 'rootfs', 'bin'), { recursive: true });
  fs.mkdirSync(path.join(src, 'templates'));
  fs.writeFileSync(path.join(src, 'metadata.yaml'), 'architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: Test\n');
  fs.writeFileSync(path.join(src, 'rootfs', 'bin', 'hello'), 'hello world\n');
  // Incompressible, so that the tarball comes in several pieces.
  fs.writeFileSync(path.join(src, 'rootfs', 'bin', 'data'), randomBytes(20_000));
  const out = path.join(dir, 'image.tar.gz');
  execFileSync('tar', ['-czf', out, '-C', src, 'metadata.yaml', 'rootfs', 'templates']);
  return fs.readFileSync(out);
}

const recent = () => new Date().toISOString();

describe('ImageService', () => {
  let dir: string;
  let tarball: Buffer;
  let fingerprint: string;
  let files: LocalImageFiles;
  let holders: ImageHolder[];
  let served: Record<string, Buffer>;
  let opened: string[];
  let recorded: [string, number][];
  let gate: Promise<void>;
  let service: ImageService;
  const record = (): ImageRecord => ({
    id: 7, project: 'default', fingerprint, filename: 'image.tar.gz', size: tarball.length, public: false, autoUpdate: false, cached: false,
    architecture: 'x86_64', type: 'container', createdAt: null, expiresAt: null, uploadedAt: recent(), lastUsedAt: null, properties: {}, aliases: [], state: '',
  });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-service-spec-'));
    tarball = buildTarball(dir);
    expect(tarball.length).toBeGreaterThan(1000);
    fingerprint = createHash('sha256').update(tarball).digest('hex');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    const state = fs.mkdtempSync(path.join(dir, 'state-'));
    files = new LocalImageFiles(new StateDir(state));
    await files.prepare();
    holders = [{ nodeId: 1, name: 'm1', address: '10.0.0.1:8443', heartbeat: recent() }];
    served = { '10.0.0.1:8443': tarball };
    opened = [];
    recorded = [];
    gate = Promise.resolve();
    const catalog: Pick<ImageCatalog, 'find' | 'findInAnyProject' | 'get' | 'recordUse'> = {
      find: async (fp) => (fp === fingerprint ? record() : undefined),
      findInAnyProject: async (fp) => (fp === fingerprint ? record() : undefined),
      get: async (prefix) => {
        if (!fingerprint.startsWith(prefix)) throw new LxdError(404, 'Image not found');
        return record();
      },
      recordUse: async () => undefined,
    };
    const aliases: Pick<ImageAliasCatalog, 'list'> = {
      list: async (_project, query) => (query?.name === 'bb' ? [{ name: 'bb', target: fingerprint } as ImageAliasRecord] : []),
    };
    const holdings: Pick<ImageHoldings, 'holders' | 'record'> = {
      holders: async () => holders,
      record: async (fp, node) => void recorded.push([fp, node]),
    };
    const transport: Pick<PeerImageTransport, 'open'> = {
      open: async (address) => {
        opened.push(address);
        await gate;
        const bytes = served[address];
        if (!bytes) throw new LxdError(503, `cannot reach ${address}`);
        // In pieces, so that progress is reported more than once.
        const pieces = [bytes.subarray(0, 1000), bytes.subarray(1000)];
        return { stream: Readable.from(pieces) as never, size: bytes.length };
      },
    };
    const localNode: Pick<LocalNode, 'id'> = { id: async () => 3 };
    const members: Pick<ClusterMembers, 'offlineThresholdMs'> = { offlineThresholdMs: async () => 20_000 };
    service = new ImageService(
      catalog as ImageCatalog,
      aliases as ImageAliasCatalog,
      holdings as ImageHoldings,
      files,
      transport as PeerImageTransport,
      localNode as LocalNode,
      members as ClusterMembers,
      new ImageLocks(),
    );
  });

  it('copies a missing image from a holder, checks it, unpacks it and records this member', async () => {
    const progress: TransferProgress[] = [];
    const local = await service.ensureLocal(fingerprint, { onProgress: (p) => progress.push(p) });
    expect(local.image.fingerprint).toBe(fingerprint);
    expect(local.file).toEqual({ path: files.paths.file(fingerprint), size: tarball.length });
    expect(fs.readFileSync(local.file.path).equals(tarball)).toBe(true);
    expect(fs.readFileSync(path.join(local.unpacked.rootfsPath, 'bin', 'hello'), 'utf8')).toMatch(/^hello world/);
    expect(local.unpacked.metadata.properties).toEqual({ os: 'Test' });
    expect(recorded).toEqual([[fingerprint, 3]]);
    expect(progress[0]).toEqual({ fingerprint, from: 'm1', receivedBytes: 0, totalBytes: tarball.length });
    expect(progress.at(-1)).toEqual({ fingerprint, from: 'm1', receivedBytes: tarball.length, totalBytes: tarball.length });
    expect(fs.readdirSync(files.temporaryDirectory)).toEqual([]);
  });

  it('shares one transfer between concurrent calls, each told of its progress', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const seen = { a: 0, b: 0 };
    const a = service.ensureLocal(fingerprint, { onProgress: () => seen.a++ });
    const b = service.ensureLocal(fingerprint, { project: 'default', onProgress: () => seen.b++ });
    await new Promise((r) => setTimeout(r, 20));
    open();
    const [la, lb] = await Promise.all([a, b]);
    expect(opened).toEqual(['10.0.0.1:8443']);
    expect(la.unpacked.directory).toBe(lb.unpacked.directory);
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
    // Once done, a later call finds the local copy and copies nothing.
    await service.ensureLocal(fingerprint);
    expect(opened).toHaveLength(1);
  });

  it('refuses a copy whose SHA-256 is not the fingerprint and takes the next holder', async () => {
    const corrupt = Buffer.from(tarball);
    corrupt[100] ^= 0xff;
    holders = [
      { nodeId: 1, name: 'm1', address: 'a:1', heartbeat: recent() },
      { nodeId: 2, name: 'm2', address: 'b:1', heartbeat: recent() },
    ];
    served = { 'a:1': corrupt, 'b:1': tarball };
    const local = await service.ensureLocal(fingerprint);
    expect(opened).toEqual(['a:1', 'b:1']);
    expect(fs.readFileSync(local.file.path).equals(tarball)).toBe(true);
  });

  it('fails when every holder sends a bad copy, keeping nothing of them', async () => {
    const corrupt = Buffer.from(tarball);
    corrupt[100] ^= 0xff;
    const short = tarball.subarray(0, tarball.length - 10);
    holders = [
      { nodeId: 1, name: 'm1', address: 'a:1', heartbeat: recent() },
      { nodeId: 2, name: 'm2', address: 'b:1', heartbeat: recent() },
      { nodeId: 4, name: 'm4', address: 'c:1', heartbeat: recent() },
    ];
    served = { 'a:1': corrupt, 'b:1': short };
    const err = await service.ensureLocal(fingerprint).catch((e: LxdError) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect((err as LxdError).statusCode).toBe(502);
    expect((err as LxdError).message).toBe(
      `Failed to copy image ${fingerprint} from another member: ` +
        `m1: the copy has the SHA-256 ${createHash('sha256').update(corrupt).digest('hex')}, not the image's fingerprint: refused; ` +
        `m2: the copy has the SHA-256 ${createHash('sha256').update(short).digest('hex')}, not the image's fingerprint: refused; ` +
        'm4: cannot reach c:1',
    );
    expect(await files.file(fingerprint)).toBeUndefined();
    expect(fs.readdirSync(files.temporaryDirectory)).toEqual([]);
    expect(fs.readdirSync(files.paths.unpackedRoot)).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('asks members that answer heartbeats first, and never itself', async () => {
    holders = [
      { nodeId: 3, name: 'self', address: 'self:1', heartbeat: recent() },
      { nodeId: 1, name: 'gone', address: 'gone:1', heartbeat: '2000-01-01T00:00:00.000Z' },
      { nodeId: 2, name: 'up', address: 'up:1', heartbeat: recent() },
    ];
    served = { 'gone:1': tarball, 'up:1': tarball };
    await service.ensureLocal(fingerprint);
    expect(opened).toEqual(['up:1']);
  });

  it('says so when no other member holds the image', async () => {
    holders = [];
    await expect(service.ensureLocal(fingerprint)).rejects.toMatchObject({ statusCode: 503, message: `Image ${fingerprint} is not available on any online cluster member` });
  });

  it('is a 404 for an unknown image', async () => {
    await expect(service.ensureLocal('0'.repeat(64))).rejects.toMatchObject({ statusCode: 404, message: 'Image not found' });
  });

  it('resolves an alias first, then a fingerprint prefix', async () => {
    expect((await service.resolve('bb')).fingerprint).toBe(fingerprint);
    expect((await service.resolve(fingerprint.slice(0, 10))).fingerprint).toBe(fingerprint);
    await expect(service.resolve('nope')).rejects.toMatchObject({ statusCode: 404 });
  });
});
