/**
 * When the daemon starts, it brings this member's instances back as LXD does: those with
 * `boot.autostart=true` are started, those without the key are started if they were running when
 * the daemon last saw them (`volatile.last_state.power`), in `boot.autostart.priority` order (higher
 * first), waiting `boot.autostart.delay` seconds after each. Containers that kept running while the
 * daemon was away are left as they are.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { retryUntilDone } from '../database/retry-until-done';
import { MemberIdentity } from '../identity/member-identity';
import { HostRuntime, runtimeName } from './host-runtime';
import { isTrue } from './instance-config';
import { InstanceLifecycle } from './instance-lifecycle';
import { InstanceReader } from './instance-reader';
import { InstanceStore } from './instance-store';

@Injectable()
export class InstanceAutostart implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Instances');
  private stopped = false;

  constructor(
    private readonly store: InstanceStore,
    private readonly reader: InstanceReader,
    private readonly host: HostRuntime,
    private readonly lifecycle: InstanceLifecycle,
    private readonly identity: MemberIdentity,
  ) {}

  onApplicationBootstrap(): void {
    void this.identity.whenKnown().then(() =>
      retryUntilDone(() => this.run(), {
        onError: (err) => this.logger.warn(`starting instances at start-up: ${err.message}`),
        stopped: () => this.stopped,
      }),
    );
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    const records = (await this.store.list('default')).filter((r) => r.nodeId === this.identity.node.id);
    const candidates: Array<{ record: (typeof records)[number]; priority: number; delay: number }> = [];
    for (const record of records) {
      const { config } = await this.reader.expanded(record);
      const autostart = config['boot.autostart'];
      const wanted = autostart === undefined || autostart === '' ? record.config['volatile.last_state.power'] === 'RUNNING' : isTrue(autostart);
      if (wanted) candidates.push({ record, priority: Number(config['boot.autostart.priority'] || 0), delay: Number(config['boot.autostart.delay'] || 0) });
    }
    candidates.sort((a, b) => b.priority - a.priority || a.record.name.localeCompare(b.record.name));
    for (const { record, delay } of candidates) {
      try {
        const driver = await this.host.driver(record.pool);
        if ((await driver.status(runtimeName(record.project, record.name))) !== 'Stopped') continue;
        await this.lifecycle.applyState(record, 'start');
        this.logger.log(`started instance ${record.name}`);
        if (delay > 0) await new Promise((r) => setTimeout(r, delay * 1000));
      } catch (err) {
        this.logger.warn(`could not start instance ${record.name}: ${(err as Error).message}`);
      }
    }
  }
}
