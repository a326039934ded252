/**
 * Deleting images. An image that another project still has keeps its files: only this project's
 * row goes. Otherwise every other member that holds a copy is asked to delete it (an unreachable
 * holder fails the deletion, which can then be retried), then this member's copy and the rows go.
 */
import { Injectable } from '@nestjs/common';
import { ImageCatalog } from './image-catalog';
import { ImageHoldings } from './image-holdings';
import { ImageLocks } from './image-locks';
import type { ImageRecord } from './image-record';
import { LocalImageFiles } from './local-image-files';
import { LocalNode } from './local-node';
import { PeerImageTransport } from './transfer/peer-image-transport';

@Injectable()
export class ImageDeleter {
  constructor(
    private readonly catalog: ImageCatalog,
    private readonly holdings: ImageHoldings,
    private readonly files: LocalImageFiles,
    private readonly locks: ImageLocks,
    private readonly localNode: LocalNode,
    private readonly transport: PeerImageTransport,
  ) {}

  async delete(image: ImageRecord): Promise<void> {
    if ((await this.catalog.projectCount(image.fingerprint)) > 1) {
      await this.catalog.delete(image.id);
      return;
    }
    const self = await this.localNode.id();
    for (const holder of await this.holdings.holders(image.fingerprint)) {
      if (holder.nodeId === self) continue;
      try {
        await this.transport.askToDelete(holder.address, image.fingerprint);
      } catch (err) {
        throw new Error(`Failed to delete image from peer node ${holder.name}: ${(err as Error).message}`);
      }
    }
    await this.deleteLocalCopy(image.fingerprint);
    await this.catalog.delete(image.id);
  }

  /** Removes this member's copy and its holding; false when it had none. */
  async deleteLocalCopy(fingerprint: string): Promise<boolean> {
    return this.locks.run(fingerprint, async () => {
      const removed = await this.files.remove(fingerprint);
      const self = await this.localNode.id();
      if (self !== undefined) await this.holdings.forget(fingerprint, self);
      return removed;
    });
  }
}
