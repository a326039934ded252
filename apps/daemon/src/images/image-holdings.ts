/**
 * Which members hold an image's file (images_nodes). A member's copy serves every project that has
 * an image with that fingerprint, so a holding is recorded for all of them.
 */
import { Injectable } from '@nestjs/common';
import { Databases } from '../database/databases';

export interface ImageHolder {
  nodeId: number;
  name: string;
  address: string;
  heartbeat: string | null;
}

@Injectable()
export class ImageHoldings {
  constructor(private readonly databases: Databases) {}

  async holders(fingerprint: string): Promise<ImageHolder[]> {
    const rows = await this.databases.global.query<{ id: number; name: string; address: string; heartbeat: string | null }>(
      `SELECT DISTINCT n.id, n.name, n.address, n.heartbeat FROM images_nodes h
       JOIN images i ON i.id = h.image_id JOIN nodes n ON n.id = h.node_id WHERE i.fingerprint = ? ORDER BY n.id`,
      [fingerprint],
    );
    return rows.map((r) => ({ nodeId: r.id, name: r.name, address: r.address, heartbeat: r.heartbeat }));
  }

  async record(fingerprint: string, nodeId: number): Promise<void> {
    await this.databases.global.exec({
      statements: [{ sql: 'INSERT OR IGNORE INTO images_nodes (image_id, node_id) SELECT id, ? FROM images WHERE fingerprint = ?', params: [nodeId, fingerprint] }],
    });
  }

  async forget(fingerprint: string, nodeId: number): Promise<void> {
    await this.databases.global.exec({
      statements: [{ sql: 'DELETE FROM images_nodes WHERE node_id = ? AND image_id IN (SELECT id FROM images WHERE fingerprint = ?)', params: [nodeId, fingerprint] }],
    });
  }

  /** Of these fingerprints, those with an image row that does not list the member as a holder. */
  async unrecorded(fingerprints: readonly string[], nodeId: number): Promise<string[]> {
    if (fingerprints.length === 0) return [];
    const rows = await this.databases.global.query<{ fingerprint: string }>(
      `SELECT DISTINCT i.fingerprint FROM images i WHERE i.fingerprint IN (${fingerprints.map(() => '?').join(', ')})
       AND NOT EXISTS (SELECT 1 FROM images_nodes h WHERE h.image_id = i.id AND h.node_id = ?)`,
      [...fingerprints, nodeId],
    );
    return rows.map((r) => r.fingerprint);
  }
}
