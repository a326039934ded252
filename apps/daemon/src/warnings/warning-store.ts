/**
 * Warnings in the global database (LXD's `warnings` table): one row per member, project, entity and
 * type. Raising a warning that exists counts it again and brings a resolved one back as new;
 * resolving marks the member's warnings of a type resolved. Every change is one replicated write
 * whose time and UUID the leader fixes.
 */
import { Injectable } from '@nestjs/common';
import { LEADER } from '@app/db';
import { Databases } from '../database/databases';
import { goTime } from '../images/go-time';
import { notFound } from '../http/lxd-error';
import { WARNING_STATUS, type WarningStatusName, type WarningType, warningStatusName, warningType } from './warning-types';

export interface WarningJson {
  status: string;
  uuid: string;
  location: string;
  project: string;
  type: string;
  count: number;
  first_seen_at: string;
  last_seen_at: string;
  last_message: string;
  severity: string;
  entity_url: string;
}

interface WarningRow {
  uuid: string;
  type_code: number;
  status: number;
  first_seen_date: string;
  last_seen_date: string;
  last_message: string;
  count: number;
  location: string | null;
  project: string | null;
}

/** A warning about no entity has entity_type_code and entity_id -1 (so that the unique index holds). */
const NO_ENTITY = -1;

const SELECT = `SELECT w.uuid, w.type_code, w.status, w.first_seen_date, w.last_seen_date, w.last_message, w.count,
  n.name AS location, p.name AS project
  FROM warnings w LEFT JOIN nodes n ON n.id = w.node_id LEFT JOIN projects p ON p.id = w.project_id`;

function toJson(row: WarningRow): WarningJson {
  const type = warningType(row.type_code);
  return {
    status: warningStatusName(row.status),
    uuid: row.uuid,
    location: row.location ?? '',
    project: row.project ?? '',
    type: type?.name ?? `Unknown warning type ${row.type_code}`,
    count: Number(row.count),
    first_seen_at: goTime(row.first_seen_date),
    last_seen_at: goTime(row.last_seen_date),
    last_message: row.last_message,
    severity: type?.severity ?? 'low',
    entity_url: '',
  };
}

@Injectable()
export class WarningStore {
  constructor(private readonly databases: Databases) {}

  /** Raises (or counts again) a warning of `type` on the member `nodeId`. */
  async raise(nodeId: number, type: WarningType, message: string): Promise<void> {
    await this.databases.global.exec({
      statements: [
        {
          sql: `INSERT INTO warnings (node_id, project_id, entity_type_code, entity_id, uuid, type_code, status, first_seen_date, last_seen_date, last_message, count)
                VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT (IFNULL(node_id, -1), IFNULL(project_id, -1), entity_type_code, entity_id, type_code) DO UPDATE SET
                  count = count + 1, last_seen_date = excluded.last_seen_date, last_message = excluded.last_message,
                  status = CASE WHEN status = ${WARNING_STATUS.resolved} THEN ${WARNING_STATUS.new} ELSE status END`,
          params: [nodeId, NO_ENTITY, NO_ENTITY, LEADER.uuid, type.code, WARNING_STATUS.new, LEADER.now, LEADER.now, message],
        },
      ],
    });
  }

  /** Marks the member's warnings of `type` resolved; writes nothing when none is open. */
  async resolve(nodeId: number, type: WarningType): Promise<void> {
    const open = await this.databases.global.query<{ n: number }>('SELECT COUNT(*) AS n FROM warnings WHERE node_id = ? AND type_code = ? AND status != ?', [nodeId, type.code, WARNING_STATUS.resolved]);
    if (Number(open[0]?.n ?? 0) === 0) return;
    await this.databases.global.exec({
      statements: [
        { sql: 'UPDATE warnings SET status = ?, updated_date = ? WHERE node_id = ? AND type_code = ? AND status != ?', params: [WARNING_STATUS.resolved, LEADER.now, nodeId, type.code, WARNING_STATUS.resolved] },
      ],
    });
  }

  /** Every warning, or those of one project (warnings about a member belong to no project), by UUID. */
  async list(project?: string): Promise<WarningJson[]> {
    const rows =
      project === undefined
        ? await this.databases.global.query<WarningRow>(`${SELECT} ORDER BY w.uuid`)
        : await this.databases.global.query<WarningRow>(`${SELECT} WHERE p.name = ? OR w.project_id IS NULL ORDER BY w.uuid`, [project]);
    return rows.map(toJson);
  }

  async get(uuid: string): Promise<WarningJson> {
    const [row] = await this.databases.global.query<WarningRow>(`${SELECT} WHERE w.uuid = ?`, [uuid]);
    if (!row) throw notFound('Warning not found');
    return toJson(row);
  }

  async setStatus(uuid: string, status: WarningStatusName): Promise<void> {
    const r = await this.databases.global.exec({
      statements: [{ sql: 'UPDATE warnings SET status = ?, updated_date = ? WHERE uuid = ?', params: [WARNING_STATUS[status], LEADER.now, uuid] }],
    });
    if (r.changes === 0) throw notFound('Warning not found');
  }

  async delete(uuid: string): Promise<void> {
    const r = await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM warnings WHERE uuid = ?', params: [uuid] }] });
    if (r.changes === 0) throw notFound('Warning not found');
  }
}
