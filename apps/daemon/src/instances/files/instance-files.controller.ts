/**
 * /1.0/instances/<name>/files?path=<path> (and /1.0/containers/...): the files of an instance of this
 * member, as LXD serves them.
 *   GET     a file's bytes (application/octet-stream), a symlink's target (made absolute), or a
 *           directory's entry names (sync response); X-LXD-uid/gid/mode/type tell what it is.
 *   HEAD    the same headers, no body.
 *   POST    creates or writes what X-LXD-type says from the raw body (see lxd-file-headers.ts). As in
 *           LXD, an existing file keeps its owner and mode, an existing directory is left as it is,
 *           an existing symlink with the same target too, and a new directory gets 0750 by default.
 *   DELETE  removes a file, a symlink or an empty directory.
 * Paths are confined to the container's root: `..` or a symlink leading out of it is a 400.
 */
import * as posix from 'node:path/posix';
import { Body, Controller, Delete, Get, Head, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { ContainerFile } from '@app/runtime';
import { type SyncResponse, syncResponse } from '../../envelope';
import { EventBus } from '../../events/event-bus';
import { emitLifecycle } from '../../events/lifecycle';
import { badRequest, notFound } from '../../http/lxd-error';
import { RawBody } from '../../http/raw-body-parser';
import type { RequestContext } from '../../http/request-context';
import { Ctx } from '../../http/request-decorators';
import { runtimeCall } from '../runtime-call';
import { InstanceRuntime, type LocalInstance } from '../instance-runtime';
import { parsePushHeaders, pullHeaders, type PushHeaders } from './lxd-file-headers';
import { pathKind } from './path-kind';
import { requestBodyBytes } from './request-body-bytes';

/** The requested path, absolute (LXD prefixes a relative one with `/`). */
function requestedPath(path: string | undefined): string {
  if (path === undefined || path === '') throw badRequest('Missing path argument');
  return path.startsWith('/') ? path : `/${path}`;
}

/** A symlink's target as an absolute container path (LXD answers with the cleaned absolute form). */
function absoluteTarget(path: string, target: string): string {
  return target.startsWith('/') ? posix.normalize(target) : posix.resolve(posix.dirname(path), target);
}

/** A file name for Content-Disposition: its UTF-8 bytes as they are (as LXD sends them), controls replaced. */
function dispositionName(path: string): string {
  const name = posix.basename(path).replace(/[\u0000-\u001f\u007f"]/g, '_');
  return Buffer.from(name, 'utf8').toString('latin1');
}

@Controller(['/1.0/instances', '/1.0/containers'])
export class InstanceFilesController {
  constructor(
    private readonly instances: InstanceRuntime,
    private readonly events: EventBus,
  ) {}

  @Head(':name/files')
  async head(@Param('name') name: string, @Query('project') project: string | undefined, @Query('path') pathParam: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const path = requestedPath(pathParam);
    const instance = await this.local(name, project);
    const file = await runtimeCall(() => instance.driver.readFile(instance.runtimeName, path));
    await reply.status(200).headers(pullHeaders(file)).send();
  }

  @Get(':name/files')
  async get(
    @Param('name') name: string,
    @Query('project') project: string | undefined,
    @Query('path') pathParam: string | undefined,
    @Res() reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    const path = requestedPath(pathParam);
    const instance = await this.local(name, project);
    const file = await runtimeCall(() => instance.driver.readFile(instance.runtimeName, path));
    this.lifecycle('instance-file-retrieved', instance, path, ctx);
    reply.status(200).headers(pullHeaders(file));
    if (file.type === 'directory') {
      await reply.type('application/json').send(syncResponse(file.entries));
      return;
    }
    const content = this.pulledContent(path, file);
    await reply
      .header('Content-Type', 'application/octet-stream')
      .header('Content-Length', String(content.length))
      .header('Content-Disposition', `inline;filename=${dispositionName(path)}`)
      .send(content);
  }

  @Post(':name/files')
  @RawBody()
  @HttpCode(200)
  async push(
    @Param('name') name: string,
    @Query('project') project: string | undefined,
    @Query('path') pathParam: string | undefined,
    @Headers() headers: IncomingHttpHeaders,
    @Body() body: unknown,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncResponse<Record<string, never>>> {
    const path = requestedPath(pathParam);
    const push = parsePushHeaders(headers);
    const instance = await this.local(name, project);
    const content = await requestBodyBytes(body);
    const created = await this.write(instance, path, push, content);
    if (created) this.lifecycle('instance-file-pushed', instance, path, ctx);
    return syncResponse({});
  }

  @Delete(':name/files')
  async remove(
    @Param('name') name: string,
    @Query('project') project: string | undefined,
    @Query('path') pathParam: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncResponse<Record<string, never>>> {
    const path = requestedPath(pathParam);
    const instance = await this.local(name, project);
    await runtimeCall(() => instance.driver.deleteFile(instance.runtimeName, path));
    this.lifecycle('instance-file-deleted', instance, path, ctx);
    return syncResponse({});
  }

  private async local(name: string, project: string | undefined): Promise<LocalInstance> {
    if (name.includes('/')) throw badRequest('Invalid instance name');
    return this.instances.local(project || 'default', name);
  }

  private pulledContent(path: string, file: Exclude<ContainerFile, { type: 'directory' }>): Buffer {
    return file.type === 'symlink' ? Buffer.from(absoluteTarget(path, file.target), 'utf8') : file.content;
  }

  /** Writes what the push asks for; false when there was nothing to do (LXD sends no event then). */
  private async write(instance: LocalInstance, path: string, push: PushHeaders, content: Buffer): Promise<boolean> {
    const { driver, runtimeName } = instance;
    const existing = await runtimeCall(() => pathKind(driver, runtimeName, path));
    if (push.type === 'directory') {
      if (existing !== null) return false;
      await runtimeCall(() => driver.writeFile(runtimeName, { path, type: 'directory', mode: push.mode ?? 0o750, uid: push.uid, gid: push.gid }));
      return true;
    }
    if (push.type === 'symlink') {
      const target = content.toString('utf8');
      if (existing === 'symlink') {
        const current = await runtimeCall(() => driver.readFile(runtimeName, path));
        if (current.type === 'symlink' && current.target === target) return false;
      }
      if (existing !== null) throw badRequest(`Cannot create the symbolic link "${path}": something is already there`);
      await runtimeCall(() => driver.writeFile(runtimeName, { path, type: 'symlink', target }));
      return true;
    }
    if (push.write === 'append' && existing === null) throw notFound(`Cannot append to "${path}": it does not exist`);
    // As in LXD, owner and mode apply to a file that the push creates, never to an existing one.
    const ownership = existing === null ? { uid: push.uid, gid: push.gid, mode: push.mode } : {};
    await runtimeCall(() => driver.writeFile(runtimeName, { path, type: 'file', content, write: push.write, ...ownership }));
    return true;
  }

  private lifecycle(action: string, instance: LocalInstance, path: string, ctx: RequestContext): void {
    emitLifecycle(this.events, action, `/1.0/instances/${instance.name}`, ctx, { path }, instance.project);
  }
}
