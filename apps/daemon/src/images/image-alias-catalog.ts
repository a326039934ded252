/**
 * Image aliases in the global database (images_aliases), per project (after features.images).
 * Writes are guarded by the alias's `state` (its row as one JSON text), as for images.
 */
import { Injectable } from '@nestjs/common';
import { type ConsistentReader, type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { Databases } from '../database/databases';
import { preconditionFailed } from '../http/lxd-error';
import { aliasExists, aliasNotFound, imageNotFound } from './image-errors';
import { imageProjectOf } from './image-project';
import { type ImageAliasRecord, imageTypeName } from './image-record';

const STATE_SQL = 'json_array(a.name, a.image_id, a.description)';

export interface AliasQuery {
  name?: string;
  /** Only aliases of public images (what untrusted clients see). */
  publicOnly?: boolean;
}

@Injectable()
export class ImageAliasCatalog {
  constructor(private readonly databases: Databases) {}

  async list(project: string | undefined, query: AliasQuery = {}): Promise<ImageAliasRecord[]> {
    return this.databases.global.read(async (r) => this.load(r, await imageProjectOf(r, project), query));
  }

  async get(name: string, project: string | undefined, query: Omit<AliasQuery, 'name'> = {}): Promise<ImageAliasRecord> {
    const [found] = await this.list(project, { ...query, name });
    if (!found) throw aliasNotFound();
    return found;
  }

  /** The effective project of a request (after features.images). */
  async projectOf(project: string | undefined): Promise<string> {
    return this.databases.global.read((r) => imageProjectOf(r, project));
  }

  private async load(r: ConsistentReader, project: string, query: AliasQuery): Promise<ImageAliasRecord[]> {
    const conditions = ['p.name = ?'];
    const params: string[] = [project];
    if (query.name !== undefined) {
      conditions.push('a.name = ?');
      params.push(query.name);
    }
    if (query.publicOnly) conditions.push('i.public = 1');
    const rows = await r.query<{ id: number; name: string; description: string; image_id: number; fingerprint: string; type: number; state: string }>(
      `SELECT a.id, a.name, a.description, a.image_id, i.fingerprint, i.type, ${STATE_SQL} AS state
       FROM images_aliases a JOIN images i ON i.id = a.image_id JOIN projects p ON p.id = a.project_id
       WHERE ${conditions.join(' AND ')} ORDER BY a.name`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      target: row.fingerprint,
      type: imageTypeName(row.type),
      imageId: row.image_id,
      state: row.state,
    }));
  }

  /** Creates an alias of image `imageId` (in the image's project); 409 when the name is taken. */
  async create(name: string, imageId: number, description: string): Promise<void> {
    await this.write(
      [{ sql: 'INSERT INTO images_aliases (name, image_id, description, project_id) SELECT ?, id, ?, project_id FROM images WHERE id = ?', params: [name, description, imageId], expect: 1 }],
      name,
      () => imageNotFound(),
    );
  }

  /** Points the alias at another image and sets its description, if unchanged since read. */
  async update(alias: ImageAliasRecord, imageId: number, description: string): Promise<void> {
    await this.write(
      [
        { sql: `SELECT 1 FROM images_aliases a WHERE a.id = ? AND ${STATE_SQL} = ?`, params: [alias.id, alias.state], expect: 1 },
        { sql: 'SELECT 1 FROM images WHERE id = ?', params: [imageId], expect: 1 },
        { sql: 'UPDATE images_aliases SET image_id = ?, description = ? WHERE id = ?', params: [imageId, description, alias.id] },
      ],
      alias.name,
      (statement) => (statement === 1 ? imageNotFound() : changedSinceRead()),
    );
  }

  async rename(alias: ImageAliasRecord, to: string): Promise<void> {
    await this.write(
      [
        { sql: `SELECT 1 FROM images_aliases a WHERE a.id = ? AND ${STATE_SQL} = ?`, params: [alias.id, alias.state], expect: 1 },
        { sql: 'UPDATE images_aliases SET name = ? WHERE id = ?', params: [to, alias.id] },
      ],
      to,
      () => changedSinceRead(),
    );
  }

  async delete(alias: ImageAliasRecord): Promise<void> {
    await this.write(
      [
        { sql: `SELECT 1 FROM images_aliases a WHERE a.id = ? AND ${STATE_SQL} = ?`, params: [alias.id, alias.state], expect: 1 },
        { sql: 'DELETE FROM images_aliases WHERE id = ?', params: [alias.id] },
      ],
      alias.name,
      () => changedSinceRead(),
    );
  }

  private async write(statements: SqlStatement<TxParam>[], name: string, guardFailed: (statement: number | undefined) => Error): Promise<void> {
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE constraint failed: images_aliases/.test(err.message)) throw aliasExists(name);
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw guardFailed(err.failure.statement);
      throw err;
    }
  }
}

function changedSinceRead(): Error {
  return preconditionFailed('The image alias changed since it was read (ETag mismatch): read it again');
}
