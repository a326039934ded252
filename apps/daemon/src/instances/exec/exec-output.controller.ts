/**
 * The recorded output of `record-output` execs, as LXD serves it:
 *   GET    /1.0/instances/<name>/logs/exec-output          the URLs of the instance's files
 *   GET    /1.0/instances/<name>/logs/exec-output/<file>   one file, raw
 *   DELETE /1.0/instances/<name>/logs/exec-output/<file>
 */
import { Controller, Delete, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type SyncResponse, syncResponse } from '../../envelope';
import { EventBus } from '../../events/event-bus';
import { emitLifecycle } from '../../events/lifecycle';
import { badRequest } from '../../http/lxd-error';
import type { RequestContext } from '../../http/request-context';
import { Ctx } from '../../http/request-decorators';
import { InstanceRuntime } from '../instance-runtime';
import { ExecOutputStore } from './exec-output-store';

@Controller('/1.0/instances')
export class ExecOutputController {
  constructor(
    private readonly instances: InstanceRuntime,
    private readonly outputs: ExecOutputStore,
    private readonly events: EventBus,
  ) {}

  @Get(':name/logs/exec-output')
  async list(@Param('name') name: string, @Query('project') projectParam: string | undefined): Promise<SyncResponse<string[]>> {
    const project = await this.localProject(name, projectParam);
    const files = await this.outputs.list(project, name);
    return syncResponse(files.map((file) => `/1.0/instances/${name}/logs/exec-output/${file}`));
  }

  @Get(':name/logs/exec-output/:file')
  async get(
    @Param('name') name: string,
    @Param('file') file: string,
    @Query('project') projectParam: string | undefined,
    @Res() reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    const project = await this.localProject(name, projectParam);
    const { stream, size } = await this.outputs.open(project, name, file);
    emitLifecycle(this.events, 'instance-log-retrieved', `/1.0/instances/${name}/logs/exec-output/${file}`, ctx, undefined, project);
    await reply
      .status(200)
      .header('Content-Type', 'application/octet-stream')
      .header('Content-Length', String(size))
      .header('Content-Disposition', `inline;filename=${file}`)
      .send(stream);
  }

  @Delete(':name/logs/exec-output/:file')
  async remove(
    @Param('name') name: string,
    @Param('file') file: string,
    @Query('project') projectParam: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncResponse<Record<string, never>>> {
    const project = await this.localProject(name, projectParam);
    await this.outputs.delete(project, name, file);
    emitLifecycle(this.events, 'instance-log-deleted', `/1.0/instances/${name}/logs/exec-output/${file}`, ctx, undefined, project);
    return syncResponse({});
  }

  /** The project of an instance of this member (404 when there is none). */
  private async localProject(name: string, projectParam: string | undefined): Promise<string> {
    if (name.includes('/')) throw badRequest('Invalid instance name');
    const project = projectParam || 'default';
    await this.instances.local(project, name);
    return project;
  }
}
