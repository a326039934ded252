/**
 * This member's name: its row in the global `nodes` table once clustered (found by its cluster
 * address), the host name otherwise, as LXD reports `server_name`. Stamped on events and
 * operations as their location.
 *
 * A standalone server has one row in `nodes` too, as in LXD: id 1, named "none" (the location of
 * its instances); bootstrapping a cluster renames that row, so its instances stay.
 */
import * as os from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { GLOBAL_SCHEMA_VERSION, LEADER } from '@app/db';
import { architectureId } from '../cluster/architectures';
import { Databases } from '../database/databases';
import { EventBus } from '../events/event-bus';

/** The `nodes` row of a standalone server. */
export const STANDALONE_NODE = { id: 1, name: 'none', address: '0.0.0.0' } as const;

export interface NodeRow {
  id: number;
  name: string;
}

@Injectable()
export class MemberIdentity {
  private current = os.hostname();
  private nodeId = 0;
  private row: NodeRow = { id: STANDALONE_NODE.id, name: STANDALONE_NODE.name };
  private readonly refreshed: Array<() => Promise<void> | void> = [];
  private readonly logger = new Logger('Member');

  constructor(
    private readonly databases: Databases,
    private readonly events: EventBus,
  ) {
    this.events.setLocation(this.current);
  }

  get name(): string {
    return this.current;
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
    const state = this.databases.clusterState();
    let name = os.hostname();
    let id = 0;
    let row: NodeRow = { id: STANDALONE_NODE.id, name: STANDALONE_NODE.name };
    if (state) {
      const rows = await this.databases.global.query<{ id: number; name: string }>('SELECT id, name FROM nodes WHERE address = ?', [state.address]);
      if (rows[0]) {
        name = rows[0].name;
        id = rows[0].id;
        row = { id, name };
      } else if (state.self.name) {
        name = state.self.name;
      }
    } else {
      await this.ensureStandaloneRow();
    }
    this.current = name;
    this.nodeId = id;
    this.row = row;
    this.events.setLocation(name);
    for (const listener of this.refreshed) {
      try {
        await listener();
      } catch (err) {
        this.logger.warn(`after the member's identity changed: ${(err as Error).message}`);
      }
    }
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
