/**
 * Images for the code that uses them (instance creation): finding an image by alias or
 * fingerprint, and making sure this member has its own unpacked copy, copying the image file from
 * a member that holds one when it has none.
 *
 * A copy is streamed into a temporary file, its SHA-256 computed on the way and compared with the
 * fingerprint (a mismatch is refused and the next holder tried), then validated and unpacked, and
 * this member recorded as a holder (images_nodes). Concurrent calls for the same image share one
 * transfer; every caller can follow its progress.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import type { UnpackedImage } from '@app/runtime';
import { ClusterMembers } from '../cluster/cluster-members';
import { LxdError } from '../http/lxd-error';
import { ImageAliasCatalog } from './image-alias-catalog';
import { ImageCatalog } from './image-catalog';
import { imageNotFound } from './image-errors';
import { type ImageHolder, ImageHoldings } from './image-holdings';
import { ImageLocks } from './image-locks';
import type { ImageRecord } from './image-record';
import { type LocalImageFile, LocalImageFiles } from './local-image-files';
import { LocalNode } from './local-node';
import { PeerImageTransport } from './transfer/peer-image-transport';
import { receiveToFile } from './upload/receive-to-file';

export interface TransferProgress {
  fingerprint: string;
  /** The member the image is copied from. */
  from: string;
  receivedBytes: number;
  /** The image file's size, when known. */
  totalBytes?: number;
}

export interface EnsureLocalOptions {
  /** The project whose image record is returned (default: the image's first project). */
  project?: string;
  /** Told of the bytes copied so far while the image is copied from another member. */
  onProgress?: (progress: TransferProgress) => void;
}

/** An image this member has: its record, its unpacked directory and its file. */
export interface LocalImage {
  image: ImageRecord;
  /** `directory` holds metadata.yaml, `rootfsPath` the root filesystem, `templatesPath` the templates. */
  unpacked: UnpackedImage;
  file: LocalImageFile;
}

interface Transfer {
  done: Promise<{ unpacked: UnpackedImage; file: LocalImageFile }>;
  listeners: Set<(progress: TransferProgress) => void>;
}

@Injectable()
export class ImageService {
  private readonly transfers = new Map<string, Transfer>();

  constructor(
    private readonly catalog: ImageCatalog,
    private readonly aliases: ImageAliasCatalog,
    private readonly holdings: ImageHoldings,
    private readonly files: LocalImageFiles,
    private readonly transport: PeerImageTransport,
    private readonly localNode: LocalNode,
    private readonly members: ClusterMembers,
    private readonly locks: ImageLocks,
  ) {}

  /**
   * The image an instance source names: an alias of the project first, else a unique fingerprint
   * prefix. 404 when neither exists.
   */
  async resolve(aliasOrFingerprint: string, project?: string): Promise<ImageRecord> {
    const [alias] = await this.aliases.list(project, { name: aliasOrFingerprint });
    if (alias) {
      const image = await this.catalog.find(alias.target, project);
      if (image) return image;
    }
    return this.catalog.get(aliasOrFingerprint, project);
  }

  /** Notes that an instance was created from the image (its `last_used_at`). */
  async recordUse(image: ImageRecord): Promise<void> {
    await this.catalog.recordUse(image.fingerprint, image.project, new Date().toISOString());
  }

  /** This member's copy of the image, copied from another member first if it has none. */
  async ensureLocal(fingerprint: string, options: EnsureLocalOptions = {}): Promise<LocalImage> {
    const image = options.project === undefined ? await this.catalog.findInAnyProject(fingerprint) : await this.catalog.find(fingerprint, options.project);
    if (!image) throw imageNotFound();
    let transfer = this.transfers.get(image.fingerprint);
    if (!transfer) {
      const listeners = new Set<(progress: TransferProgress) => void>();
      const done = this.locks.run(image.fingerprint, () => this.obtain(image.fingerprint, (p) => listeners.forEach((l) => l(p))));
      const started: Transfer = { done, listeners };
      this.transfers.set(image.fingerprint, started);
      void done.then(
        () => this.transfers.delete(image.fingerprint),
        () => this.transfers.delete(image.fingerprint),
      );
      transfer = started;
    }
    if (options.onProgress) transfer.listeners.add(options.onProgress);
    try {
      return { image, ...(await transfer.done) };
    } finally {
      if (options.onProgress) transfer.listeners.delete(options.onProgress);
    }
  }

  private async obtain(fingerprint: string, progress: (p: TransferProgress) => void): Promise<{ unpacked: UnpackedImage; file: LocalImageFile }> {
    const nodeId = await this.localNode.id();
    const local = await this.files.file(fingerprint);
    if (local) {
      const unpacked = await this.files.unpacked(fingerprint);
      if (nodeId !== undefined) await this.holdings.record(fingerprint, nodeId);
      return { unpacked, file: local };
    }
    const holders = await this.sources(fingerprint, nodeId);
    if (holders.length === 0) throw new LxdError(503, `Image ${fingerprint} is not available on any online cluster member`);
    const failures: string[] = [];
    for (const holder of holders) {
      try {
        const unpacked = await this.copyFrom(holder, fingerprint, progress);
        if (nodeId !== undefined) await this.holdings.record(fingerprint, nodeId);
        const file = await this.files.file(fingerprint);
        if (!file) throw new Error('the copied image file disappeared');
        return { unpacked, file };
      } catch (err) {
        failures.push(`${holder.name}: ${(err as Error).message}`);
      }
    }
    throw new LxdError(502, `Failed to copy image ${fingerprint} from another member: ${failures.join('; ')}`);
  }

  /** The other members that hold the image, those that answer heartbeats first. */
  private async sources(fingerprint: string, self: number | undefined): Promise<ImageHolder[]> {
    const holders = (await this.holdings.holders(fingerprint)).filter((h) => h.nodeId !== self);
    if (holders.length === 0) return [];
    const threshold = await this.members.offlineThresholdMs();
    const now = Date.now();
    const online = (h: ImageHolder) => h.heartbeat !== null && now - Date.parse(h.heartbeat) <= threshold;
    return [...holders.filter(online), ...holders.filter((h) => !online(h))];
  }

  private async copyFrom(holder: ImageHolder, fingerprint: string, progress: (p: TransferProgress) => void): Promise<UnpackedImage> {
    const work = await this.files.temporary('fetch');
    try {
      const { stream, size } = await this.transport.open(holder.address, fingerprint);
      progress({ fingerprint, from: holder.name, receivedBytes: 0, ...(size !== undefined ? { totalBytes: size } : {}) });
      const received = await receiveToFile(stream, path.join(work, 'image'), {
        onBytes: (n) => progress({ fingerprint, from: holder.name, receivedBytes: n, ...(size !== undefined ? { totalBytes: size } : {}) }),
      });
      if (size !== undefined && received.size !== size) throw new Error(`the transfer ended after ${received.size} of ${size} bytes`);
      if (received.sha256 !== fingerprint) throw new Error(`the copy has the SHA-256 ${received.sha256}, not the image's fingerprint: refused`);
      return await this.files.adopt(received.path, fingerprint);
    } finally {
      await fs.promises.rm(work, { recursive: true, force: true });
    }
  }
}
