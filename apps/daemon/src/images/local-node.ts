/**
 * This member's row in `nodes`, for recording which images it holds: found by its cluster address
 * once clustered; a standalone server uses the one row its database has (if any).
 */
import { Injectable } from '@nestjs/common';
import { Databases } from '../database/databases';

@Injectable()
export class LocalNode {
  constructor(private readonly databases: Databases) {}

  /** The member's `nodes` id, or undefined when it has no row. */
  async id(): Promise<number | undefined> {
    const state = this.databases.clusterState();
    if (state) {
      const rows = await this.databases.global.query<{ id: number }>('SELECT id FROM nodes WHERE address = ?', [state.address]);
      return rows[0]?.id;
    }
    const rows = await this.databases.global.query<{ id: number }>('SELECT id FROM nodes ORDER BY id LIMIT 2');
    return rows.length === 1 ? rows[0].id : undefined;
  }
}
