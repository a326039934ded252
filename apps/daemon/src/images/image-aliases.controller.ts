/**
 * /1.0/images/aliases: names for images, per project (LXD 5.0.2): list (recursion), create (201
 * with Location), get (ETag; untrusted clients see aliases of public images), PUT/PATCH (target,
 * description), POST (rename, 201 with Location), DELETE.
 */
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SyncResponse, syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { checkIfMatch } from '../http/etag';
import { badRequest } from '../http/lxd-error';
import { AllowUntrusted, Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { ImageAliasCatalog } from './image-alias-catalog';
import { ImageCatalog } from './image-catalog';
import { aliasExists } from './image-errors';
import { aliasSource } from './image-events';
import { aliasEtag, type ImageAliasJson, aliasJson } from './image-json';
import { checkAliasName, jsonObject, optionalString } from './image-request-bodies';
import { wantsObjects } from './recursion';

function aliasUrl(name: string): string {
  return `/1.0/images/aliases/${encodeURIComponent(name)}`;
}

@Controller('/1.0/images/aliases')
export class ImageAliasesController {
  constructor(
    private readonly aliases: ImageAliasCatalog,
    private readonly images: ImageCatalog,
    private readonly events: EventBus,
  ) {}

  @Get()
  async list(@Query('recursion') recursion: string | undefined, @Query('project') project: string | undefined): Promise<SyncResponse<string[] | ImageAliasJson[]>> {
    const all = await this.aliases.list(project);
    if (wantsObjects(recursion)) return syncResponse(all.map(aliasJson));
    return syncResponse(all.map((a) => aliasUrl(a.name)));
  }

  @Post()
  async create(@Body() body: unknown, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const request = jsonObject(body);
    const name = optionalString(request, 'name') ?? '';
    const target = optionalString(request, 'target') ?? '';
    const description = optionalString(request, 'description') ?? '';
    if (name === '' || target === '') throw badRequest('name and target are required');
    checkAliasName(name);
    const [existing] = await this.aliases.list(project, { name });
    if (existing) throw aliasExists(name);
    const image = await this.images.get(target, project);
    await this.aliases.create(name, image.id, description);
    const source = aliasSource(name, image.project);
    emitLifecycle(this.events, 'image-alias-created', source, ctx, { target }, image.project);
    reply.status(201).header('Location', source);
    return syncResponse(null);
  }

  @Get(':name')
  @AllowUntrusted()
  async get(@Param('name') name: string, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext): Promise<SyncResponse<ImageAliasJson>> {
    const alias = await this.aliases.get(name, project, { publicOnly: !ctx.trusted });
    reply.header('ETag', `"${aliasEtag(alias)}"`);
    return syncResponse(aliasJson(alias));
  }

  @Put(':name')
  async put(@Param('name') name: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Query('project') project: string | undefined, @Ctx() ctx: RequestContext) {
    const request = jsonObject(body);
    const target = optionalString(request, 'target') ?? '';
    const description = optionalString(request, 'description') ?? '';
    if (target === '') throw badRequest('The target field is required');
    const alias = await this.aliases.get(name, project);
    checkIfMatch(ifMatch, aliasEtag(alias));
    const image = await this.images.get(target, project);
    await this.aliases.update(alias, image.id, description);
    const effective = await this.aliases.projectOf(project);
    emitLifecycle(this.events, 'image-alias-updated', aliasSource(alias.name, effective), ctx, { target }, effective);
    return syncResponse({});
  }

  @Patch(':name')
  async patch(@Param('name') name: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Query('project') project: string | undefined, @Ctx() ctx: RequestContext) {
    const request = jsonObject(body);
    const target = optionalString(request, 'target');
    const description = optionalString(request, 'description');
    const alias = await this.aliases.get(name, project);
    checkIfMatch(ifMatch, aliasEtag(alias));
    const image = await this.images.get(target ?? alias.target, project);
    await this.aliases.update(alias, image.id, description ?? alias.description);
    const effective = await this.aliases.projectOf(project);
    emitLifecycle(this.events, 'image-alias-updated', aliasSource(alias.name, effective), ctx, { target: target ?? alias.target }, effective);
    return syncResponse({});
  }

  /** Renames an alias. */
  @Post(':name')
  @HttpCode(201)
  async rename(@Param('name') name: string, @Body() body: unknown, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const request = jsonObject(body);
    const to = optionalString(request, 'name') ?? '';
    if (to === '') throw badRequest('No name provided');
    checkAliasName(to);
    const [taken] = await this.aliases.list(project, { name: to });
    if (taken) throw aliasExists(to);
    const alias = await this.aliases.get(name, project);
    await this.aliases.rename(alias, to);
    const effective = await this.aliases.projectOf(project);
    const source = aliasSource(to, effective);
    emitLifecycle(this.events, 'image-alias-renamed', source, ctx, { old_name: name }, effective);
    reply.header('Location', source);
    return syncResponse(null);
  }

  @Delete(':name')
  async remove(@Param('name') name: string, @Query('project') project: string | undefined, @Ctx() ctx: RequestContext) {
    const alias = await this.aliases.get(name, project);
    await this.aliases.delete(alias);
    const effective = await this.aliases.projectOf(project);
    emitLifecycle(this.events, 'image-alias-deleted', aliasSource(alias.name, effective), ctx, undefined, effective);
    return syncResponse({});
  }
}
