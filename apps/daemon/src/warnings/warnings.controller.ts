/**
 * /1.0/warnings (LXD's "warnings" API extension: `lxc warning list|show|ack|delete`): the warnings
 * the members raised, cluster-wide, with their status (new, acknowledged, resolved).
 */
import { Body, Controller, Delete, Get, Param, Patch, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { etagOf } from '../http/etag';
import { isJsonObject } from '../http/json-object';
import { badRequest } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { WarningStore } from './warning-store';
import { WARNING_STATUS } from './warning-types';

const warningUrl = (uuid: string) => `/1.0/warnings/${encodeURIComponent(uuid)}`;

/** The status a client may set: new or acknowledged (resolving is the daemon's). */
function requestedStatus(body: unknown): 'new' | 'acknowledged' {
  if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
  const status = (body as { status?: unknown }).status;
  if (typeof status !== 'string' || !Object.hasOwn(WARNING_STATUS, status)) throw badRequest(`Invalid warning status ${JSON.stringify(status ?? '')}`);
  if (status !== 'new' && status !== 'acknowledged') throw badRequest('Status may only be set to "acknowledged" or "new"');
  return status;
}

@Controller('/1.0/warnings')
export class WarningsController {
  constructor(
    private readonly warnings: WarningStore,
    private readonly events: EventBus,
  ) {}

  @Get()
  async list(@Query('recursion') recursion: string | undefined, @Query('project') project: string | undefined) {
    const all = await this.warnings.list(project === '' ? undefined : project);
    if (!recursion || recursion === '0') return syncResponse(all.map((w) => warningUrl(w.uuid)));
    return syncResponse(all);
  }

  @Get(':uuid')
  async get(@Param('uuid') uuid: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const w = await this.warnings.get(uuid);
    reply.header('ETag', `"${etagOf({ status: w.status })}"`);
    return syncResponse(w);
  }

  @Put(':uuid')
  async put(@Param('uuid') uuid: string, @Body() body: unknown, @Ctx() ctx: RequestContext) {
    return this.update(uuid, body, ctx);
  }

  @Patch(':uuid')
  async patch(@Param('uuid') uuid: string, @Body() body: unknown, @Ctx() ctx: RequestContext) {
    return this.update(uuid, body, ctx);
  }

  @Delete(':uuid')
  async remove(@Param('uuid') uuid: string, @Ctx() ctx: RequestContext) {
    await this.warnings.delete(uuid);
    emitLifecycle(this.events, 'warning-deleted', warningUrl(uuid), ctx);
    return syncResponse({});
  }

  private async update(uuid: string, body: unknown, ctx: RequestContext) {
    const status = requestedStatus(body);
    await this.warnings.setStatus(uuid, status);
    emitLifecycle(this.events, status === 'acknowledged' ? 'warning-acknowledged' : 'warning-reset', warningUrl(uuid), ctx);
    return syncResponse({});
  }
}
