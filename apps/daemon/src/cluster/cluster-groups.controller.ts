/**
 * /1.0/cluster/groups: LXD's cluster groups (every member is in `default` at first), which
 * `--target @<group>` places instances in. Membership changes are one replicated transaction.
 */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { Databases } from '../database/databases';
import { syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { etagOf } from '../http/etag';
import { badRequest, conflict, notFound } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { isJsonObject } from '../http/json-object';

interface GroupBody {
  name?: unknown;
  description?: unknown;
  members?: unknown;
}

interface GroupJson {
  name: string;
  description: string;
  members: string[];
}

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

function validGroupName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw badRequest('No name provided');
  if (!GROUP_NAME.test(name)) throw badRequest(`Invalid cluster group name "${name}"`);
}

function validMembers(members: unknown): string[] | undefined {
  if (members === undefined || members === null) return undefined;
  if (!Array.isArray(members) || members.some((m) => typeof m !== 'string')) throw badRequest('members must be a list of member names');
  return members as string[];
}

@Controller('/1.0/cluster/groups')
export class ClusterGroupsController {
  constructor(
    private readonly databases: Databases,
    private readonly events: EventBus,
  ) {}

  @Get()
  async list(@Query('recursion') recursion: string | undefined) {
    const groups = await this.all();
    if (!recursion || recursion === '0') return syncResponse(groups.map((g) => `/1.0/cluster/groups/${g.name}`));
    return syncResponse(groups);
  }

  @Post()
  async create(@Body() body: GroupBody, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    validGroupName(body.name);
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    const members = validMembers(body.members) ?? [];
    await this.write([
      { sql: 'INSERT INTO cluster_groups (name, description) VALUES (?, ?)', params: [body.name, (body.description as string) ?? ''] },
      ...this.membershipStatements(body.name, members),
    ]);
    emitLifecycle(this.events, 'cluster-group-created', `/1.0/cluster/groups/${body.name}`, ctx);
    reply.status(201).header('Location', `/1.0/cluster/groups/${body.name}`);
    return syncResponse(null);
  }

  @Get(':name')
  async get(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const group = await this.one(name);
    reply.header('ETag', `"${etagOf([group.description, group.members])}"`);
    return syncResponse(group);
  }

  @Put(':name')
  async put(@Param('name') name: string, @Body() body: GroupBody, @Ctx() ctx: RequestContext) {
    return this.update(name, body, false, ctx);
  }

  @Patch(':name')
  async patch(@Param('name') name: string, @Body() body: GroupBody, @Ctx() ctx: RequestContext) {
    return this.update(name, body, true, ctx);
  }

  @Post(':name')
  @HttpCode(201)
  async rename(@Param('name') name: string, @Body() body: GroupBody, @Ctx() ctx: RequestContext) {
    validGroupName(body?.name);
    if (name === 'default') throw badRequest('The default cluster group cannot be renamed');
    await this.one(name);
    await this.write([{ sql: 'UPDATE cluster_groups SET name = ? WHERE name = ?', params: [body.name, name], expect: 1 }]);
    emitLifecycle(this.events, 'cluster-group-renamed', `/1.0/cluster/groups/${body.name}`, ctx, { old_name: name });
    return syncResponse(null);
  }

  @Delete(':name')
  async remove(@Param('name') name: string, @Ctx() ctx: RequestContext) {
    if (name === 'default') throw badRequest('The default cluster group cannot be deleted');
    const group = await this.one(name);
    if (group.members.length > 0) throw badRequest(`Only empty cluster groups can be removed (members: ${group.members.join(', ')})`);
    await this.write([{ sql: 'DELETE FROM cluster_groups WHERE name = ?', params: [name], expect: 1 }]);
    emitLifecycle(this.events, 'cluster-group-deleted', `/1.0/cluster/groups/${name}`, ctx);
    return syncResponse({});
  }

  private async update(name: string, body: GroupBody, merge: boolean, ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    const current = await this.one(name);
    const members = validMembers(body.members) ?? (merge ? current.members : []);
    const description = body.description === undefined ? (merge ? current.description : '') : (body.description as string);
    // A member must stay in at least one group.
    const all = await this.all();
    for (const member of current.members.filter((m) => !members.includes(m))) {
      if (!all.some((g) => g.name !== name && g.members.includes(member))) throw badRequest(`Member "${member}" must belong to at least one cluster group`);
    }
    await this.write([
      { sql: 'UPDATE cluster_groups SET description = ? WHERE name = ?', params: [description, name], expect: 1 },
      { sql: 'DELETE FROM nodes_cluster_groups WHERE group_id = (SELECT id FROM cluster_groups WHERE name = ?)', params: [name] },
      ...this.membershipStatements(name, members),
    ]);
    emitLifecycle(this.events, 'cluster-group-updated', `/1.0/cluster/groups/${name}`, ctx);
    return syncResponse({});
  }

  private membershipStatements(group: string, members: string[]): SqlStatement<TxParam>[] {
    return members.map((member) => ({
      sql: 'INSERT INTO nodes_cluster_groups (node_id, group_id) SELECT n.id, g.id FROM nodes n, cluster_groups g WHERE n.name = ? AND g.name = ?',
      params: [member, group],
      expect: 1,
    }));
  }

  private async write(statements: SqlStatement<TxParam>[]): Promise<void> {
    try {
      await this.databases.global.exec({ statements });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict('The cluster group already exists');
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw badRequest('A member given does not exist, or the cluster group changed meanwhile');
      throw err;
    }
  }

  private async one(name: string): Promise<GroupJson> {
    const group = (await this.all()).find((g) => g.name === name);
    if (!group) throw notFound('Cluster group not found');
    return group;
  }

  private async all(): Promise<GroupJson[]> {
    return this.databases.global.read(async (r) => {
      const groups = await r.query<{ id: number; name: string; description: string }>('SELECT id, name, description FROM cluster_groups ORDER BY name');
      const members = await r.query<{ group_id: number; name: string }>('SELECT ng.group_id, n.name FROM nodes_cluster_groups ng JOIN nodes n ON n.id = ng.node_id ORDER BY n.name');
      return groups.map((g) => ({ name: g.name, description: g.description, members: members.filter((m) => Number(m.group_id) === Number(g.id)).map((m) => m.name) }));
    });
  }
}
