/**
 * Keeping `cluster.images_minimal_replica` copies of every image (LXD's image synchronisation):
 * after an import, when the setting changes, and every hour on the database leader, members that
 * lack a copy are asked, one after the other, to fetch one, until the image has that many holders
 * (-1: every member). Only members that answer heartbeats are asked.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterMembers } from '../cluster/cluster-members';
import { ServerConfig } from '../config-keys/server-config.service';
import { Databases } from '../database/databases';
import { ImageHoldings } from './image-holdings';
import { PeerImageTransport } from './transfer/peer-image-transport';

const SYNC_EVERY_MS = 3_600_000;
const MINIMAL_REPLICA_KEY = 'cluster.images_minimal_replica';

@Injectable()
export class ImageReplicator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Images');
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private running?: Promise<void>;
  /** Another pass was asked for while one ran. */
  private again = false;

  constructor(
    private readonly databases: Databases,
    private readonly config: ServerConfig,
    private readonly members: ClusterMembers,
    private readonly holdings: ImageHoldings,
    private readonly transport: PeerImageTransport,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.config.onChange((changed) => {
      if (changed.has(MINIMAL_REPLICA_KEY)) this.replicateAllInBackground();
    });
    this.timer = setInterval(() => {
      if (this.databases.clustered && this.databases.cluster.driver.isLeader()) this.replicateAllInBackground();
    }, SYNC_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** Brings one image up to the minimal number of copies; throws when a member fails to fetch it. */
  async replicate(fingerprint: string): Promise<void> {
    if (!this.databases.clustered) return;
    const wanted = Number(await this.config.get(MINIMAL_REPLICA_KEY));
    const [records, threshold, holders] = await Promise.all([this.members.records(), this.members.offlineThresholdMs(), this.holdings.holders(fingerprint)]);
    // Nothing to copy from.
    if (holders.length === 0) return;
    const target = wanted < 0 ? records.length : Math.min(wanted, records.length);
    const held = new Set(holders.map((h) => h.nodeId));
    const candidates = shuffled(records.filter((r) => !held.has(r.id) && ClusterMembers.isOnline(r, threshold)));
    for (let missing = target - held.size; missing > 0 && candidates.length > 0; missing--) {
      const member = candidates.shift()!;
      try {
        await this.transport.askToFetch(member.address, fingerprint);
      } catch (err) {
        throw new Error(`member ${member.name} could not fetch image ${fingerprint}: ${(err as Error).message}`);
      }
    }
  }

  /** Every image, one after the other; problems are logged. */
  async replicateAll(): Promise<void> {
    const rows = await this.databases.global.query<{ fingerprint: string }>('SELECT DISTINCT fingerprint FROM images ORDER BY fingerprint');
    for (const { fingerprint } of rows) {
      try {
        await this.replicate(fingerprint);
      } catch (err) {
        this.logger.warn(`synchronising image ${fingerprint}: ${(err as Error).message}`);
      }
    }
  }

  private replicateAllInBackground(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.replicateAll().catch((err: unknown) => this.logger.warn(`synchronising images: ${(err as Error).message}`));
      } while (this.again);
    })().finally(() => (this.running = undefined));
  }
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
