/**
 * Images in the global database (images, images_properties, and the aliases that point to them),
 * read and written as LXD keeps them. Every read also returns the image's `state`, a JSON text
 * SQLite computes from its rows; writes are guarded by it (compare-and-set in the replicated
 * transaction), so that of two writers that read the same ETag one wins and the other gets 412.
 */
import { Injectable } from '@nestjs/common';
import { type ConsistentReader, type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { architectureId, architectureName } from '../cluster/architectures';
import { Databases } from '../database/databases';
import { execGuarded } from '../database/guarded-exec';
import { aliasExists, ambiguousFingerprint, ImageExistsError, imageNotFound } from './image-errors';
import { fingerprintPrefix } from './image-fingerprint';
import { imageProjectOf } from './image-project';
import { IMAGE_TYPE_CODES, type ImageAliasRef, type ImageRecord, type ImageType, imageTypeName } from './image-record';

/** The rows of image `i` that a client can change, as one JSON text. */
const STATE_SQL = `json_array(i.public, i.auto_update, i.expiry_date,
  (SELECT json_group_array(json_array(key, value)) FROM (SELECT key, value FROM images_properties WHERE image_id = i.id ORDER BY key)))`;

const PROJECT_IMAGE = `(SELECT i.id FROM images i JOIN projects p ON p.id = i.project_id WHERE p.name = ? AND i.fingerprint = ?)`;

export interface NewImage {
  project: string;
  fingerprint: string;
  filename: string;
  size: number;
  public: boolean;
  autoUpdate: boolean;
  architecture: string;
  type: ImageType;
  createdAt: string;
  expiresAt: string;
  uploadedAt: string;
  properties: Record<string, string>;
  aliases: ImageAliasRef[];
  /** The member that holds the image's file (its `nodes` id), when it has a row there. */
  holderNodeId?: number;
}

export interface ImageChanges {
  public: boolean;
  autoUpdate: boolean;
  properties: Record<string, string>;
  expiresAt: string | null;
}

interface ImageRow {
  id: number;
  fingerprint: string;
  filename: string;
  size: number;
  public: number;
  architecture: number;
  creation_date: string | null;
  expiry_date: string | null;
  upload_date: string;
  cached: number;
  last_use_date: string | null;
  auto_update: number;
  type: number;
  state: string;
}

export interface ImageQuery {
  /** Only the image(s) whose fingerprint starts with this. */
  prefix?: string;
  /** Only public images (what untrusted clients see). */
  publicOnly?: boolean;
}

@Injectable()
export class ImageCatalog {
  constructor(private readonly databases: Databases) {}

  /** The images of a project (after features.images), as of one read point. */
  async list(project: string | undefined, query: ImageQuery = {}): Promise<ImageRecord[]> {
    return this.databases.global.read(async (r) => this.load(r, await imageProjectOf(r, project), query));
  }

  /** The project whose images a request for `project` sees (after features.images); 404 for an unknown one. */
  async projectOf(project: string | undefined): Promise<string> {
    return this.databases.global.read((r) => imageProjectOf(r, project));
  }

  /** The one image whose fingerprint starts with `prefix`: 404 when none, 400 when several. */
  async get(prefix: string, project: string | undefined, query: Omit<ImageQuery, 'prefix'> = {}): Promise<ImageRecord> {
    const wanted = fingerprintPrefix(prefix);
    if (wanted === undefined) throw imageNotFound();
    const found = await this.list(project, { ...query, prefix: wanted });
    if (found.length === 0) throw imageNotFound();
    if (found.length > 1) throw ambiguousFingerprint();
    return found[0];
  }

  /** The image with exactly this fingerprint in the project, if there is one. */
  async find(fingerprint: string, project: string | undefined): Promise<ImageRecord | undefined> {
    const found = await this.list(project, { prefix: fingerprint });
    return found.find((i) => i.fingerprint === fingerprint);
  }

  /** The image with this fingerprint in any project (the lowest project id first). */
  async findInAnyProject(fingerprint: string): Promise<ImageRecord | undefined> {
    return this.databases.global.read(async (r) => {
      const projects = await r.query<{ name: string }>('SELECT p.name FROM images i JOIN projects p ON p.id = i.project_id WHERE i.fingerprint = ? ORDER BY p.id LIMIT 1', [fingerprint]);
      if (!projects[0]) return undefined;
      return (await this.load(r, projects[0].name, { prefix: fingerprint }))[0];
    });
  }

  /** How many projects have an image with this fingerprint. */
  async projectCount(fingerprint: string): Promise<number> {
    const rows = await this.databases.global.query<{ n: number }>('SELECT count(*) AS n FROM images WHERE fingerprint = ?', [fingerprint]);
    return Number(rows[0]?.n ?? 0);
  }

  private async load(r: ConsistentReader, project: string, query: ImageQuery): Promise<ImageRecord[]> {
    const conditions = ['p.name = ?'];
    const params: (string | number)[] = [project];
    if (query.prefix !== undefined) {
      conditions.push('substr(i.fingerprint, 1, ?) = ?');
      params.push(query.prefix.length, query.prefix);
    }
    if (query.publicOnly) conditions.push('i.public = 1');
    const scope = `SELECT i.id FROM images i JOIN projects p ON p.id = i.project_id WHERE ${conditions.join(' AND ')}`;
    const rows = await r.query<ImageRow>(
      `SELECT i.id, i.fingerprint, i.filename, i.size, i.public, i.architecture, i.creation_date, i.expiry_date, i.upload_date, i.cached,
              i.last_use_date, i.auto_update, i.type, ${STATE_SQL} AS state
       FROM images i WHERE i.id IN (${scope}) ORDER BY i.id`,
      params,
    );
    if (rows.length === 0) return [];
    const properties = await r.query<{ image_id: number; key: string; value: string | null }>(
      `SELECT image_id, key, value FROM images_properties WHERE image_id IN (${scope}) AND type = 0 ORDER BY key`,
      params,
    );
    const aliases = await r.query<{ image_id: number; name: string; description: string }>(
      `SELECT image_id, name, description FROM images_aliases WHERE image_id IN (${scope}) ORDER BY name`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      project,
      fingerprint: row.fingerprint,
      filename: row.filename,
      size: Number(row.size),
      public: row.public === 1,
      autoUpdate: row.auto_update === 1,
      cached: row.cached === 1,
      architecture: architectureName(row.architecture),
      type: imageTypeName(row.type),
      createdAt: row.creation_date,
      expiresAt: row.expiry_date,
      uploadedAt: row.upload_date,
      lastUsedAt: row.last_use_date,
      properties: Object.fromEntries(properties.filter((p) => p.image_id === row.id).map((p) => [p.key, p.value ?? ''])),
      aliases: aliases.filter((a) => a.image_id === row.id).map((a) => ({ name: a.name, description: a.description })),
      state: row.state,
    }));
  }

  /**
   * Records a new image with its properties, aliases and holder in one transaction. Throws
   * ImageExistsError when the project has it already, 409 when an alias is taken.
   */
  async create(image: NewImage): Promise<void> {
    const key = [image.project, image.fingerprint];
    const statements: SqlStatement<TxParam>[] = [
      {
        sql: `INSERT INTO images (fingerprint, filename, size, public, architecture, creation_date, expiry_date, upload_date, cached, auto_update, project_id, type)
              SELECT ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, id, ? FROM projects WHERE name = ?`,
        params: [image.fingerprint, image.filename, image.size, image.public ? 1 : 0, architectureId(image.architecture), image.createdAt, image.expiresAt, image.uploadedAt,
          image.autoUpdate ? 1 : 0, IMAGE_TYPE_CODES[image.type], image.project],
        expect: 1,
      },
      ...propertyStatements(PROJECT_IMAGE, key, image.properties),
    ];
    if (image.holderNodeId !== undefined) {
      statements.push({ sql: `INSERT OR IGNORE INTO images_nodes (image_id, node_id) VALUES (${PROJECT_IMAGE}, ?)`, params: [...key, image.holderNodeId] });
    }
    const firstAlias = statements.length;
    for (const alias of image.aliases) {
      statements.push({
        sql: `INSERT INTO images_aliases (name, image_id, description, project_id) SELECT ?, i.id, ?, i.project_id FROM images i WHERE i.id = ${PROJECT_IMAGE}`,
        params: [alias.name, alias.description, ...key],
      });
    }
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE constraint failed: images\.project_id, images\.fingerprint/.test(err.message)) throw new ImageExistsError();
      if (err instanceof TxFailedError && /UNIQUE constraint failed: images_aliases/.test(err.message)) {
        const alias = image.aliases[(err.failure.statement ?? firstAlias) - firstAlias];
        throw aliasExists(alias?.name ?? '');
      }
      throw err;
    }
  }

  /** Replaces what a client can change of an image, if its rows are still `expectedState` (else 412). */
  async update(id: number, expectedState: string, changes: ImageChanges): Promise<void> {
    await execGuarded(this.databases, [
      { sql: `SELECT 1 FROM images i WHERE i.id = ? AND ${STATE_SQL} = ?`, params: [id, expectedState], expect: 1 },
      { sql: 'UPDATE images SET public = ?, auto_update = ?, expiry_date = ? WHERE id = ?', params: [changes.public ? 1 : 0, changes.autoUpdate ? 1 : 0, changes.expiresAt, id] },
      { sql: 'DELETE FROM images_properties WHERE image_id = ?', params: [id] },
      ...propertyStatements('?', [id], changes.properties),
    ], 'image');
  }

  /** Removes the image's row (its properties, aliases and holders go with it). */
  async delete(id: number): Promise<void> {
    await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM images WHERE id = ?', params: [id] }] });
  }

  /** Notes that an instance was made from the image now. */
  async recordUse(fingerprint: string, project: string, at: string): Promise<void> {
    await this.databases.global.exec({
      statements: [{ sql: `UPDATE images SET last_use_date = ? WHERE id = ${PROJECT_IMAGE}`, params: [at, project, fingerprint] }],
    });
  }
}

function propertyStatements(idSql: string, idParams: TxParam[], properties: Record<string, string>): SqlStatement<TxParam>[] {
  return Object.entries(properties).map(([key, value]) => ({
    sql: `INSERT INTO images_properties (image_id, type, key, value) VALUES (${idSql}, 0, ?, ?)`,
    params: [...idParams, key, value],
  }));
}
