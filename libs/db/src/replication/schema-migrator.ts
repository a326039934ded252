/**
 * Brings the global schema up to this code's version, through the log, once: whenever this member
 * becomes the leader it reads the schema version (after a read barrier, so it sees every committed
 * update) and proposes the missing updates in order. An update proposed twice (two leaders in a
 * row) fails on the schema table's UNIQUE (version) and changes nothing.
 */
import { StateRole } from '@app/raft';
import { GLOBAL_SCHEMA_VERSION, migrationTxs, schemaVersion } from '../global/global-schema';
import { TxFailedError } from './db-errors';
import type { GlobalDatabase } from './global-database';
import type { RaftDriver } from './raft-driver';

export class SchemaMigrator {
  private running?: Promise<void>;
  private readonly off: () => void;
  private stopped = false;

  constructor(
    private readonly driver: RaftDriver,
    private readonly db: GlobalDatabase,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    this.off = driver.onStatusChange((st) => {
      if (st.role === StateRole.Leader) this.kick();
    });
    if (driver.isLeader()) this.kick();
  }

  /** The schema version of this member's replica. */
  localVersion(): number {
    return schemaVersion(this.db.stateMachine);
  }

  stop(): void {
    this.stopped = true;
    this.off();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.migrate()
      .catch((err: Error) => {
        if (!this.stopped) this.onError(err);
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  private async migrate(): Promise<void> {
    await this.db.readBarrier(10_000);
    const current = schemaVersion(this.db.stateMachine);
    if (current >= GLOBAL_SCHEMA_VERSION) return;
    for (const tx of migrationTxs(current, new Date().toISOString())) {
      if (this.stopped || !this.driver.isLeader()) return;
      try {
        await this.db.exec(tx, { timeoutMs: 10_000 });
      } catch (err) {
        // Already applied by a previous leader: the version is recorded, move on.
        if (err instanceof TxFailedError && /UNIQUE/i.test(err.failure.code + err.failure.message)) continue;
        throw err;
      }
    }
  }
}
