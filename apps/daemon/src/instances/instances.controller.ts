import * as fs from 'node:fs/promises';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertInstanceName } from '@app/runtime';
import { syncResponse } from '../envelope';
import { etagOf, ifMatchOf } from '../http/etag';
import { badRequest, notFound } from '../http/lxd-error';
import { replyAsync } from '../http/async-reply';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { HostRuntime, runtimeName } from './host-runtime';
import { type CreateBody, InstanceCreation } from './instance-creation';
import { parseFilter, matchesFilter } from './instance-filter';
import { checkStateBody, InstanceLifecycle, type StateBody } from './instance-lifecycle';
import { InstanceReader } from './instance-reader';
import { type SnapshotBody, InstanceSnapshots, validSnapshotName } from './instance-snapshots';
import { InstanceStates } from './instance-states';
import { type InstanceRecord, InstanceStore } from './instance-store';
import { type UpdateBody, InstanceUpdates } from './instance-updates';
import { instanceEtagFields } from './instance-view';
import { runtimeCall } from './runtime-call';
import { isJsonObject } from '../http/json-object';

function projectOf(project: string | undefined): string {
  return project && project !== '' ? project : 'default';
}

/** `/1.0/instances` or `/1.0/containers`, as the request came in (LXD answers in kind). */
function baseOf(request: FastifyRequest): string {
  return request.url.startsWith('/1.0/containers') ? '/1.0/containers' : '/1.0/instances';
}

function recursionOf(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`Invalid recursion "${value}"`);
  return n;
}

/**
 * /1.0/instances (and its older name /1.0/containers): LXD's instances API. Requests about an
 * instance that lives on another member reach that member before they get here (see
 * instance-forwarding), so everything below an instance's name happens on its own member.
 */
@Controller(['/1.0/instances', '/1.0/containers'])
export class InstancesController {
  constructor(
    private readonly store: InstanceStore,
    private readonly reader: InstanceReader,
    private readonly creation: InstanceCreation,
    private readonly lifecycle: InstanceLifecycle,
    private readonly updates: InstanceUpdates,
    private readonly snapshots: InstanceSnapshots,
    private readonly states: InstanceStates,
    private readonly host: HostRuntime,
  ) {}

  @Get()
  async list(@Req() request: FastifyRequest, @Query('recursion') recursion: string | undefined, @Query('filter') filter: string | undefined, @Query('project') project: string | undefined) {
    const depth = recursionOf(recursion);
    const parsed = parseFilter(filter);
    const records = await this.store.list(projectOf(project));
    const base = baseOf(request);
    if (depth === 0) {
      if (!parsed) return syncResponse(records.map((r) => `${base}/${r.name}`));
      const shown = await this.reader.many(records, projectOf(project));
      return syncResponse(shown.filter((i) => matchesFilter(i, parsed)).map((i) => `${base}/${i.name}`));
    }
    const shown = depth === 1 ? await this.reader.many(records, projectOf(project)) : await this.reader.full(records, projectOf(project));
    return syncResponse((shown as object[]).filter((i) => matchesFilter(i, parsed)));
  }

  @Post()
  async create(
    @Req() request: FastifyRequest,
    @Body() body: CreateBody,
    @Query('project') project: string | undefined,
    @Query('target') target: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ) {
    const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const outcome = await this.creation.create(projectOf(project), body, target, rawQuery, ctx);
    if (outcome.kind === 'local') return replyAsync(reply, outcome.operation);
    reply.status(outcome.status);
    for (const [k, v] of Object.entries(outcome.headers)) reply.header(k, v);
    return outcome.body;
  }

  @Get(':name')
  async get(@Param('name') name: string, @Query('project') project: string | undefined, @Query('recursion') recursion: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const record = await this.store.get(projectOf(project), name);
    const json = await this.reader.one(record);
    reply.header('ETag', `"${etagOf(instanceEtagFields(json))}"`);
    if (recursionOf(recursion) >= 1) return syncResponse((await this.reader.full([record], record.project))[0]);
    return syncResponse(json);
  }

  @Put(':name')
  async put(@Param('name') name: string, @Body() body: UpdateBody, @Query('project') project: string | undefined, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const record = await this.store.get(projectOf(project), name);
    if (body && typeof body === 'object' && body.restore !== undefined && body.restore !== '') {
      if (typeof body.restore !== 'string') throw badRequest('restore must be a snapshot name');
      // The lxc client names the snapshot as "<instance>/<snapshot>".
      const snapshot = body.restore.startsWith(`${record.name}/`) ? body.restore.slice(record.name.length + 1) : body.restore;
      if (snapshot.includes('/')) throw badRequest(`Snapshot "${body.restore}" is not a snapshot of instance "${record.name}"`);
      await this.store.snapshot(record.id, snapshot);
      return replyAsync(reply, this.snapshots.restore(record, snapshot, ctx));
    }
    return replyAsync(reply, await this.updates.update(record, body, false, ifMatchOf(ifMatch), ctx));
  }

  @Patch(':name')
  async patch(@Param('name') name: string, @Body() body: UpdateBody, @Query('project') project: string | undefined, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const record = await this.store.get(projectOf(project), name);
    return replyAsync(reply, await this.updates.update(record, body, true, ifMatchOf(ifMatch), ctx));
  }

  /** Renames an instance (moving one to another member is not offered). */
  @Post(':name')
  async rename(@Param('name') name: string, @Body() body: { name?: unknown; migration?: unknown; live?: unknown }, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.migration === true) throw badRequest('Moving instances between members or pools is not supported: stop the instance, then copy its files');
    if (typeof body.name !== 'string' || body.name === '') throw badRequest('No name provided');
    const record = await this.store.get(projectOf(project), name);
    try {
      assertInstanceName(body.name);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return replyAsync(reply, this.lifecycle.rename(record, body.name, ctx));
  }

  @Delete(':name')
  async remove(@Param('name') name: string, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const record = await this.store.get(projectOf(project), name);
    return replyAsync(reply, this.lifecycle.delete(record, ctx));
  }

  @Get(':name/state')
  async state(@Param('name') name: string, @Query('project') project: string | undefined) {
    const record = await this.store.get(projectOf(project), name);
    const report = await this.states.local([record], true);
    return syncResponse(report.states![record.name]);
  }

  @Put(':name/state')
  async changeState(@Param('name') name: string, @Body() body: StateBody, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const { action, stop } = checkStateBody(body);
    const record = await this.store.get(projectOf(project), name);
    return replyAsync(reply, this.lifecycle.changeState(record, action, stop, ctx));
  }

  // ------------------------------------------------------------------ snapshots

  @Get(':name/snapshots')
  async listSnapshots(@Req() request: FastifyRequest, @Param('name') name: string, @Query('project') project: string | undefined, @Query('recursion') recursion: string | undefined) {
    const record = await this.store.get(projectOf(project), name);
    const snapshots = await this.store.snapshots(record.id);
    if (recursionOf(recursion) === 0) return syncResponse(snapshots.map((s) => `${baseOf(request)}/${record.name}/snapshots/${s.name}`));
    return syncResponse(await Promise.all(snapshots.map((s) => this.reader.snapshot(record, s))));
  }

  @Post(':name/snapshots')
  async createSnapshot(@Param('name') name: string, @Body() body: SnapshotBody, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const record = await this.store.get(projectOf(project), name);
    return replyAsync(reply, await this.snapshots.create(record, body ?? {}, ctx));
  }

  @Get(':name/snapshots/:snapshot')
  async getSnapshot(@Param('name') name: string, @Param('snapshot') snapshot: string, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const record = await this.store.get(projectOf(project), name);
    const json = await this.reader.snapshot(record, await this.store.snapshot(record.id, snapshot));
    reply.header('ETag', `"${etagOf([json.expires_at, json.description])}"`);
    return syncResponse(json);
  }

  @Put(':name/snapshots/:snapshot')
  async putSnapshot(@Param('name') name: string, @Param('snapshot') snapshot: string, @Body() body: SnapshotBody, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const record = await this.store.get(projectOf(project), name);
    return replyAsync(reply, this.snapshots.update(record, await this.store.snapshot(record.id, snapshot), body, ctx));
  }

  @Patch(':name/snapshots/:snapshot')
  async patchSnapshot(@Param('name') name: string, @Param('snapshot') snapshot: string, @Body() body: SnapshotBody, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const record = await this.store.get(projectOf(project), name);
    return replyAsync(reply, this.snapshots.update(record, await this.store.snapshot(record.id, snapshot), body, ctx));
  }

  @Post(':name/snapshots/:snapshot')
  async renameSnapshot(@Param('name') name: string, @Param('snapshot') snapshot: string, @Body() body: { name?: unknown; migration?: unknown }, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.migration === true) throw badRequest('Copying snapshots to other members is not supported');
    const record = await this.store.get(projectOf(project), name);
    const current = await this.store.snapshot(record.id, snapshot);
    return replyAsync(reply, this.snapshots.rename(record, current, validSnapshotName(body.name), ctx));
  }

  @Delete(':name/snapshots/:snapshot')
  async deleteSnapshot(@Param('name') name: string, @Param('snapshot') snapshot: string, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const record = await this.store.get(projectOf(project), name);
    return replyAsync(reply, this.snapshots.delete(record, await this.store.snapshot(record.id, snapshot), ctx));
  }

  // ------------------------------------------------------------------ logs

  @Get(':name/logs')
  async logs(@Req() request: FastifyRequest, @Param('name') name: string, @Query('project') project: string | undefined) {
    const record = await this.store.get(projectOf(project), name);
    const files = await this.logFiles(record);
    return syncResponse(files.map((f) => `${baseOf(request)}/${record.name}/logs/${f.name}`));
  }

  @Get(':name/logs/:file')
  async log(@Param('name') name: string, @Param('file') file: string, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const record = await this.store.get(projectOf(project), name);
    const found = (await this.logFiles(record)).find((f) => f.name === file);
    if (!found) throw notFound('Log file not found');
    reply.type('application/octet-stream');
    return found.content;
  }

  @Delete(':name/logs/:file')
  @HttpCode(200)
  async deleteLog(@Param('name') name: string, @Param('file') file: string, @Query('project') project: string | undefined) {
    const record = await this.store.get(projectOf(project), name);
    if (file === 'lxc.log' || file === 'lxc.conf') throw badRequest(`Only old log files can be deleted ("${file}" is in use)`);
    const found = (await this.logFiles(record)).find((f) => f.name === file);
    if (!found) throw notFound('Log file not found');
    await fs.rm(found.path, { force: true });
    return syncResponse({});
  }

  private async logFiles(record: InstanceRecord) {
    const driver = await this.host.driver(record.pool);
    return runtimeCall(() => driver.logs(runtimeName(record.project, record.name)));
  }
}
