/**
 * This member's name: its row in the global `nodes` table once clustered (found by its cluster
 * address), the host name otherwise, as LXD reports `server_name`. Its location (stamped on events
 * and operations) is that name once clustered and "none" on a standalone server, as in LXD.
 *
 * A standalone server has one row in `nodes` too, as in LXD: id 1, named "none" (the location of
 * its instances); bootstrapping a cluster renames that row, so its instances stay.
 */
import * as os from 'node:os';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { GLOBAL_SCHEMA_VERSION, LEADER } from '@app/db';
import { architectureId } from '../cluster/architectures';
import { Databases } from '../database/databases';
import { retryUntilDone } from '../database/retry-until-done';
import { EventBus } from '../events/event-bus';

/** The `nodes` row of a standalone server. */
export const STANDALONE_NODE = { id: 1, name: 'none', address: '0.0.0.0' } as const;

export interface NodeRow {
  id: number;
  name: string;
}

@Injectable()
export class MemberIdentity implements OnApplicationShutdown {
  private current: string;
  private nodeId = 0;
  private row: NodeRow = { id: STANDALONE_NODE.id, name: STANDALONE_NODE.name };
  /** Look-ups started: only the latest one's answer is adopted. */
  private lookUps = 0;
  private stopped = false;
  private markKnown!: () => void;
  private readonly known = new Promise<void>((resolve) => (this.markKnown = resolve));
  private readonly refreshed: Array<() => Promise<void> | void> = [];
  private readonly logger = new Logger('Member');

  constructor(
    private readonly databases: Databases,
    private readonly events: EventBus,
  ) {
    // Until start() reads the name: the one the local database has (a member's own, once clustered).
    this.current = databases.clusterState()?.self.name || os.hostname();
    this.events.setLocation(this.location);
  }

  get name(): string {
    return this.current;
  }

  /** Where this member's events, operations and resources are: its name, or "none" when standalone. */
  get location(): string {
    return this.databases.clustered ? this.current : STANDALONE_NODE.name;
  }

  /** Resolves once the name and id have been read from the database (at start-up, or later). */
  whenKnown(): Promise<void> {
    return this.known;
  }

  /** The member's id in the `nodes` table (0 when not clustered). */
  get id(): number {
    return this.nodeId;
  }

  /** The member's row in `nodes`: its own when clustered, the standalone row otherwise. */
  get node(): NodeRow {
    return this.row;
  }

  /** Runs `listener` after every refresh (start-up, bootstrap, join, leave, rename). */
  onRefresh(listener: () => Promise<void> | void): void {
    this.refreshed.push(listener);
  }

  get clustered(): boolean {
    return this.databases.clustered;
  }

  /** The member's cluster address ('' when not clustered). */
  get address(): string {
    return this.databases.clusterState()?.address ?? '';
  }

  /** Reads the name again (after clustering, joining, renaming); linearizable when clustered. */
  async refresh(): Promise<void> {
    await this.lookUpAndAdopt('linearizable');
    for (const listener of this.refreshed) {
      try {
        await listener();
      } catch (err) {
        this.logger.warn(`after the member's identity changed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * At start-up: the name as this member's own replica has it, which needs no leader (a member
   * that restarts hears from the leader only once the leader reconnects), then refresh() in the
   * background, which waits for the leader, corrects a name changed while this member was away and
   * runs the listeners. `onError` hears of each background refresh that failed (it is tried again
   * every few seconds until one succeeds or the daemon stops).
   */
  async start(onError: (err: Error) => void): Promise<void> {
    await this.lookUpAndAdopt('local');
    // A standalone server's answer is already linearizable (it leads itself), and the listeners
    // have nothing to adopt outside a cluster.
    if (this.databases.clusterState()) void retryUntilDone(() => this.refresh(), { onError, stopped: () => this.stopped });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  /** The name, the id in `nodes` (0 unless clustered and found) and the row. */
  private async lookUp(consistency: 'linearizable' | 'local'): Promise<{ name: string; id: number; row: NodeRow }> {
    const standalone = { id: STANDALONE_NODE.id, name: STANDALONE_NODE.name };
    const state = this.databases.clusterState();
    if (!state) {
      await this.ensureStandaloneRow();
      return { name: os.hostname(), id: 0, row: standalone };
    }
    const [found] = await this.databases.global.query<{ id: number; name: string }>('SELECT id, name FROM nodes WHERE address = ?', [state.address], { consistency });
    if (found) return { name: found.name, id: found.id, row: { id: found.id, name: found.name } };
    return { name: state.self.name || os.hostname(), id: 0, row: standalone };
  }

  /** Looks the name up and takes it, unless a look-up that started later has the newer answer. */
  private async lookUpAndAdopt(consistency: 'linearizable' | 'local'): Promise<void> {
    const lookUp = ++this.lookUps;
    const found = await this.lookUp(consistency);
    if (lookUp === this.lookUps) this.adopt(found);
  }

  private adopt({ name, id, row }: { name: string; id: number; row: NodeRow }): void {
    this.current = name;
    this.nodeId = id;
    this.row = row;
    this.events.setLocation(this.location);
    this.markKnown();
  }

  private async ensureStandaloneRow(): Promise<void> {
    const db = this.databases.global;
    const rows = await db.query('SELECT 1 FROM nodes WHERE id = ?', [STANDALONE_NODE.id]);
    if (rows.length > 0) return;
    await db.exec({
      statements: [
        {
          sql: 'INSERT OR IGNORE INTO nodes (id, name, address, schema, api_extensions, arch, heartbeat, state) VALUES (?, ?, ?, ?, 0, ?, ?, 0)',
          params: [STANDALONE_NODE.id, STANDALONE_NODE.name, STANDALONE_NODE.address, GLOBAL_SCHEMA_VERSION, architectureId(os.machine()), LEADER.now],
        },
        { sql: 'INSERT OR IGNORE INTO nodes_cluster_groups (node_id, group_id) VALUES (?, 1)', params: [STANDALONE_NODE.id] },
      ],
    });
  }
}
