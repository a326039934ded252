/**
 * Edits of a cluster member (PUT/PATCH /1.0/cluster/members/<name>): description, failure domain,
 * groups and member config, written as one replicated transaction that also checks the member's
 * ETag, so that two edits from the same ETag cannot both win. The database roles are the
 * leader's to decide and cannot be set.
 */
import { Injectable } from '@nestjs/common';
import { type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { Databases } from '../database/databases';
import { etagOf } from '../http/etag';
import { guardedWrite } from '../http/guarded-write';
import { isJsonObject } from '../http/json-object';
import { badRequest, preconditionFailed } from '../http/lxd-error';
import { type ClusterMemberJson, ClusterMembers } from './cluster-members';

export interface MemberEdit {
  description?: unknown;
  failure_domain?: unknown;
  groups?: unknown;
  config?: unknown;
  roles?: unknown;
}

const MEMBER_CONFIG_KEYS: Record<string, (v: string) => boolean> = {
  'scheduler.instance': (v) => ['all', 'manual', 'group'].includes(v),
};

/** The roles a member can have here; the cluster assigns all of them. */
const DATABASE_ROLES = ['database', 'database-leader', 'database-standby'];

/** An edit may repeat the member's roles but not change them. */
function checkRoles(roles: unknown, current: string[]): void {
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw badRequest('roles must be a list of role names');
  for (const role of roles) {
    if (role === 'event-hub') throw badRequest('The "event-hub" role is not supported: members exchange events directly, in a full mesh');
    if (!DATABASE_ROLES.includes(role)) throw badRequest(`Invalid cluster role "${role}"`);
  }
  if (JSON.stringify([...roles].sort()) !== JSON.stringify([...current].sort())) {
    throw badRequest('The database roles (database, database-leader, database-standby) are assigned by the cluster and cannot be changed');
  }
}

/** The fields of a member its ETag covers. */
export function memberEtag(m: ClusterMemberJson): string {
  return etagOf({ description: m.description, failure_domain: m.failure_domain, groups: m.groups, config: m.config, roles: m.roles });
}

@Injectable()
export class MemberUpdate {
  constructor(
    private readonly databases: Databases,
    private readonly members: ClusterMembers,
  ) {}

  async apply(name: string, edit: MemberEdit, replace: boolean, ifMatch?: string): Promise<void> {
    if (!isJsonObject(edit)) throw badRequest('The request body must be a JSON object');
    await guardedWrite(() => this.applyOnce(name, edit, replace, ifMatch), { ifMatch });
  }

  /** One read and one write guarded by what was read. */
  private async applyOnce(name: string, edit: MemberEdit, replace: boolean, ifMatch?: string): Promise<void> {
    const current = await this.members.get(name);
    const record = await this.members.record(name);
    const currentEtag = memberEtag(current);
    if (ifMatch !== undefined && ifMatch !== currentEtag) throw preconditionFailed(`ETag doesn't match: ${currentEtag} vs ${ifMatch}`);
    if (edit.roles !== undefined) checkRoles(edit.roles, current.roles);
    const description = edit.description ?? (replace ? '' : current.description);
    if (typeof description !== 'string') throw badRequest('description must be a string');
    const failureDomain = edit.failure_domain ?? (replace ? 'default' : current.failure_domain);
    if (typeof failureDomain !== 'string' || failureDomain === '') throw badRequest('failure_domain must be a non-empty string');
    const groups = edit.groups ?? (replace ? ['default'] : current.groups);
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string' && g !== '')) throw badRequest('groups must be a list of group names');
    if (groups.length === 0) throw badRequest('A member must belong to at least one cluster group');
    let config = (edit.config ?? (replace ? {} : current.config)) as Record<string, unknown>;
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw badRequest('config must be an object');
    if (!replace && edit.config !== undefined) config = { ...current.config, ...config };
    // As in LXD, a key set to the empty string is unset (that is what `lxc cluster unset` sends).
    config = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== ''));
    for (const [k, v] of Object.entries(config)) {
      if (typeof v !== 'string') throw badRequest(`Invalid value for "${k}": expected a string`);
      const check = MEMBER_CONFIG_KEYS[k];
      if (!check && !k.startsWith('user.')) throw badRequest(`Invalid member config key "${k}"`);
      if (check && !check(v)) throw badRequest(`Invalid value "${v}" for "${k}"`);
    }
    const known = await this.databases.global.query<{ name: string }>('SELECT name FROM cluster_groups');
    for (const g of groups as string[]) if (!known.some((k) => k.name === g)) throw badRequest(`Cluster group "${g}" does not exist`);

    const id = record.id;
    const statements: SqlStatement<TxParam>[] = [
      // The guard: the member still looks as it did when it was read (and its ETag computed).
      {
        sql: `SELECT 1 FROM nodes n WHERE n.id = ? AND n.description = ?
  AND COALESCE((SELECT name FROM nodes_failure_domains WHERE id = n.failure_domain_id), 'default') = ?
  AND COALESCE((SELECT group_concat(g.name, char(10) ORDER BY g.name) FROM cluster_groups g JOIN nodes_cluster_groups ng ON ng.group_id = g.id WHERE ng.node_id = n.id), '') = ?
  AND COALESCE((SELECT group_concat(key || '=' || value, char(10) ORDER BY key) FROM nodes_config WHERE node_id = n.id), '') = ?`,
        params: [
          id,
          current.description,
          current.failure_domain,
          [...current.groups].sort().join('\n'),
          Object.entries(current.config)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => `${k}=${v}`)
            .join('\n'),
        ],
        expect: 1,
      },
      { sql: 'INSERT OR IGNORE INTO nodes_failure_domains (name) VALUES (?)', params: [failureDomain] },
      {
        sql: "UPDATE nodes SET description = ?, failure_domain_id = CASE WHEN ? = 'default' THEN NULL ELSE (SELECT id FROM nodes_failure_domains WHERE name = ?) END WHERE id = ?",
        params: [description, failureDomain, failureDomain, id],
      },
      { sql: 'DELETE FROM nodes_cluster_groups WHERE node_id = ?', params: [id] },
      ...(groups as string[]).map((g) => ({
        sql: 'INSERT INTO nodes_cluster_groups (node_id, group_id) SELECT ?, id FROM cluster_groups WHERE name = ?',
        params: [id, g] as TxParam[],
      })),
      { sql: 'DELETE FROM nodes_config WHERE node_id = ?', params: [id] },
      ...Object.entries(config).map(([k, v]) => ({ sql: 'INSERT INTO nodes_config (node_id, key, value) VALUES (?, ?, ?)', params: [id, k, v as string] as TxParam[] })),
    ];
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw preconditionFailed('The member changed meanwhile: read it again');
      throw err;
    }
  }
}
