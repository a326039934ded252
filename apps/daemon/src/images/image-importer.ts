/**
 * Turning a received image (an upload) into an image of the cluster, as LXD does for
 * POST /1.0/images: check the fingerprint the client announced, refuse a duplicate, validate and
 * unpack the tarball (libs/runtime's ImageStore), record the image with the properties of its
 * metadata.yaml (overridden by the request's), its aliases and this member as its holder in one
 * transaction, then copy it to as many members as `cluster.images_minimal_replica` asks.
 */
import { Injectable } from '@nestjs/common';
import { architectureId } from '../cluster/architectures';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import type { RequestContext } from '../http/request-context';
import { unixSecondsTime } from './go-time';
import { ImageCatalog } from './image-catalog';
import { ImageExistsError } from './image-errors';
import { imageSource } from './image-events';
import { ImageLocks } from './image-locks';
import type { ImageAliasRef, ImageRecord } from './image-record';
import { ImageReplicator } from './image-replicator';
import { LocalImageFiles } from './local-image-files';
import { LocalNode } from './local-node';
import { discardUpload, type ReceivedUpload } from './upload/image-upload';
import type { UploadHeaders } from './upload/upload-headers';

/** What the import operation reports (LXD: the size as a string). */
export interface ImportResult {
  fingerprint: string;
  size: string;
}

/** An import that failed; `result` is set when the image was identified (LXD keeps it in the operation). */
export class ImageImportError extends Error {
  constructor(
    message: string,
    readonly result?: ImportResult,
  ) {
    super(message);
    this.name = 'ImageImportError';
  }
}

export interface ImportRequest {
  /** The project of the request (the image goes to its images project). */
  project: string;
  headers: UploadHeaders;
  aliases: ImageAliasRef[];
  ctx: RequestContext;
}

@Injectable()
export class ImageImporter {
  constructor(
    private readonly catalog: ImageCatalog,
    private readonly files: LocalImageFiles,
    private readonly locks: ImageLocks,
    private readonly localNode: LocalNode,
    private readonly replicator: ImageReplicator,
    private readonly events: EventBus,
  ) {}

  /** Imports an upload; its temporary files are gone afterwards, whatever happened. */
  async importUpload(upload: ReceivedUpload, request: ImportRequest): Promise<ImageRecord> {
    try {
      return await this.importReceived(upload, request);
    } finally {
      await discardUpload(upload);
    }
  }

  private async importReceived(upload: ReceivedUpload, request: ImportRequest): Promise<ImageRecord> {
    const fingerprint = upload.fingerprint;
    const result: ImportResult = { fingerprint, size: String(upload.size) };
    const expected = request.headers.expectedFingerprint;
    if (expected !== undefined && expected !== fingerprint) throw new ImageImportError(`fingerprints don't match, got ${fingerprint} expected ${expected}`);
    if (upload.kind === 'split') {
      throw new ImageImportError(
        upload.rootfsPart === 'rootfs.img'
          ? 'Virtual-machine images are not supported: this server runs containers'
          : 'Split images (a metadata tarball and a separate rootfs) are not supported: import a unified image tarball (metadata.yaml, rootfs/ and templates/ in one tarball)',
        result,
      );
    }
    if (await this.catalog.find(fingerprint, request.project)) throw new ImageImportError(new ImageExistsError().message, result);

    await this.locks.run(fingerprint, async () => {
      const hadFile = (await this.files.file(fingerprint)) !== undefined;
      const unpacked = hadFile ? await this.files.unpacked(fingerprint) : await this.files.adopt(upload.tarball, fingerprint);
      const discardCopy = async () => {
        if (!hadFile && (await this.catalog.projectCount(fingerprint)) === 0) await this.files.remove(fingerprint);
      };
      const metadata = unpacked.metadata;
      try {
        if (architectureId(metadata.architecture) === 0) throw new ImageImportError(`Architecture isn't supported: ${metadata.architecture}`);
        if (metadata.creationDate === 0) throw new ImageImportError('Missing creation date');
        await this.catalog.create({
          project: await this.catalog.projectOf(request.project),
          fingerprint,
          filename: upload.filename,
          size: upload.size,
          public: request.headers.public,
          autoUpdate: false,
          architecture: metadata.architecture,
          type: 'container',
          createdAt: unixSecondsTime(metadata.creationDate),
          expiresAt: unixSecondsTime(metadata.expiryDate ?? 0),
          uploadedAt: new Date().toISOString(),
          properties: { ...metadata.properties, ...request.headers.properties },
          aliases: request.aliases,
          holderNodeId: await this.localNode.id(),
        });
      } catch (err) {
        await discardCopy();
        if (err instanceof ImageExistsError) throw new ImageImportError(err.message, result);
        throw err;
      }
    });

    try {
      await this.replicator.replicate(fingerprint);
    } catch (err) {
      throw new ImageImportError(`Failed syncing image between nodes: ${(err as Error).message}`, result);
    }
    const image = await this.catalog.find(fingerprint, request.project);
    if (!image) throw new ImageImportError('The image was deleted while it was imported', result);
    emitLifecycle(this.events, 'image-created', imageSource(fingerprint, image.project), request.ctx, { type: image.type }, image.project);
    return image;
  }
}
