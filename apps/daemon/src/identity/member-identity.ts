/**
 * This member's name: its row in the global `nodes` table once clustered (found by its cluster
 * address), the host name otherwise, as LXD reports `server_name`. Stamped on events and
 * operations as their location.
 */
import * as os from 'node:os';
import { Injectable } from '@nestjs/common';
import { Databases } from '../database/databases';
import { EventBus } from '../events/event-bus';

@Injectable()
export class MemberIdentity {
  private current = os.hostname();
  private nodeId = 0;

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
    if (state) {
      const rows = await this.databases.global.query<{ id: number; name: string }>('SELECT id, name FROM nodes WHERE address = ?', [state.address]);
      if (rows[0]) {
        name = rows[0].name;
        id = rows[0].id;
      } else if (state.self.name) {
        name = state.self.name;
      }
    }
    this.current = name;
    this.nodeId = id;
    this.events.setLocation(name);
  }
}
