/**
 * At start, and whenever the member's global database is reopened (bootstrapping a cluster,
 * joining, leaving): the image directories are prepared and the images this member has files of
 * are recorded as held by it where the database does not say so yet (a standalone server whose
 * database had no `nodes` row for it, a crash between writing a file and recording it). At start
 * the recording runs in the background, tried again until the cluster answers: a member that
 * restarts may have to wait for the leader, and its API is up meanwhile.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Databases } from '../database/databases';
import { retryUntilDone } from '../database/retry-until-done';
import { ImageHoldings } from './image-holdings';
import { LocalImageFiles } from './local-image-files';
import { LocalNode } from './local-node';

@Injectable()
export class ImageStartup implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Images');
  private offReopen?: () => void;
  private stopped = false;

  constructor(
    private readonly databases: Databases,
    private readonly files: LocalImageFiles,
    private readonly holdings: ImageHoldings,
    private readonly localNode: LocalNode,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.files.prepare();
    this.offReopen = this.databases.onReopen(() => void this.recordLocalCopies());
    void retryUntilDone(() => this.record(), { onError: (err) => this.warn(err), stopped: () => this.stopped });
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.offReopen?.();
  }

  async recordLocalCopies(): Promise<void> {
    try {
      await this.record();
    } catch (err) {
      this.warn(err as Error);
    }
  }

  private async record(): Promise<void> {
    const nodeId = await this.localNode.id();
    if (nodeId === undefined) return;
    for (const fingerprint of await this.holdings.unrecorded(await this.files.fingerprints(), nodeId)) await this.holdings.record(fingerprint, nodeId);
  }

  private warn(err: Error): void {
    this.logger.warn(`recording this member's image copies: ${err.message}`);
  }
}
