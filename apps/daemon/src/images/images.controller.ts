/**
 * /1.0/images: the images of a project (LXD 5.0.2): list (recursion, filter), get (unique
 * fingerprint prefix, ETag), PUT/PATCH (compare-and-set), DELETE (an operation that removes the
 * image from every member holding it), export (the image file), and POST: an upload (the raw
 * tarball, or multipart/form-data) imported in an operation. Untrusted clients see public images.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SyncResponse, syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { replyAsync } from '../http/async-reply';
import { ifMatchOf } from '../http/etag';
import { guardedWrite } from '../http/guarded-write';
import { badRequest, LxdError, notFound, preconditionFailed } from '../http/lxd-error';
import { AllowUntrusted, Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { OperationsManager } from '../operations/operations-manager';
import { FilterSyntaxError, parseFilter } from './api-filter/filter-clause';
import { matchesFilter } from './api-filter/filter-match';
import { ImageCatalog, type ImageChanges } from './image-catalog';
import { ImageDeleter } from './image-deleter';
import { imageSource } from './image-events';
import { exportHeaders, fileExtension } from './image-export';
import { ImageHoldings } from './image-holdings';
import { ImageImporter, ImageImportError } from './image-importer';
import { imageEtag, type ImageJson, imageJson } from './image-json';
import type { ImageRecord } from './image-record';
import { checkProfiles, expiresAt, jsonObject, optionalBoolean, stringMap } from './image-request-bodies';
import { imageSourceRefusal } from './image-source-request';
import { LocalImageFiles } from './local-image-files';
import { LocalNode } from './local-node';
import { wantsObjects } from './recursion';
import { PeerImageTransport } from './transfer/peer-image-transport';
import { InvalidUploadError, receiveImageUpload } from './upload/image-upload';
import { MultipartError } from './upload/multipart-reader';
import { parseUploadHeaders } from './upload/upload-headers';

function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';
}

@Controller('/1.0/images')
export class ImagesController {
  constructor(
    private readonly catalog: ImageCatalog,
    private readonly importer: ImageImporter,
    private readonly deleter: ImageDeleter,
    private readonly files: LocalImageFiles,
    private readonly holdings: ImageHoldings,
    private readonly localNode: LocalNode,
    private readonly transport: PeerImageTransport,
    private readonly operations: OperationsManager,
    private readonly events: EventBus,
  ) {}

  @Get()
  @AllowUntrusted()
  async list(
    @Query('recursion') recursion: string | undefined,
    @Query('filter') filter: string | undefined,
    @Query('project') project: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncResponse<string[] | ImageJson[]>> {
    let clauses;
    try {
      clauses = filter ? parseFilter(filter) : [];
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw badRequest(`Invalid filter: ${err.message}`);
      throw err;
    }
    const images = (await this.catalog.list(project, { publicOnly: !ctx.trusted })).map(imageJson).filter((i) => matchesFilter(i, clauses));
    if (wantsObjects(recursion)) return syncResponse(images);
    return syncResponse(images.map((i) => `/1.0/images/${i.fingerprint}`));
  }

  /** An upload (raw tarball or multipart), or a JSON request naming another source. */
  @Post()
  async create(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('project') project: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ) {
    if (!isStream(body)) throw imageSourceRefusal(jsonObject(body));
    const headers = parseUploadHeaders(request.headers);
    const imagesProject = await this.catalog.projectOf(project);
    let upload;
    try {
      upload = await receiveImageUpload(body, request.headers['content-type'], headers, this.files.temporaryDirectory);
    } catch (err) {
      if (err instanceof InvalidUploadError || err instanceof MultipartError) throw badRequest(err.message);
      throw err;
    }
    const op = this.operations.create({
      class: 'task',
      description: 'Downloading image',
      project: imagesProject,
      run: async (operation) => {
        try {
          const image = await this.importer.importUpload(upload, { project: imagesProject, headers, aliases: [], ctx });
          return { fingerprint: image.fingerprint, size: String(image.size) };
        } catch (err) {
          if (err instanceof ImageImportError && err.result) operation.setMetadata({ ...err.result });
          throw err;
        }
      },
    });
    return replyAsync(reply, op);
  }

  @Get(':fingerprint')
  @AllowUntrusted()
  async get(
    @Param('fingerprint') fingerprint: string,
    @Query('project') project: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncResponse<ImageJson>> {
    const image = await this.visible(fingerprint, project, ctx);
    reply.header('ETag', `"${imageEtag(image)}"`);
    return syncResponse(imageJson(image));
  }

  @Put(':fingerprint')
  async put(
    @Param('fingerprint') fingerprint: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query('project') project: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncResponse<Record<string, never>>> {
    const request = jsonObject(body);
    const changes = {
      public: optionalBoolean(request, 'public') ?? false,
      autoUpdate: optionalBoolean(request, 'auto_update') ?? false,
      properties: stringMap(request, 'properties') ?? {},
      expiresAt: expiresAt(request),
    };
    checkProfiles(request);
    const image = await this.write(fingerprint, project, ifMatch, (current) => ({ ...changes, expiresAt: changes.expiresAt ?? current.expiresAt }));
    emitLifecycle(this.events, 'image-updated', imageSource(image.fingerprint, image.project), ctx, undefined, image.project);
    return syncResponse({});
  }

  @Patch(':fingerprint')
  async patch(
    @Param('fingerprint') fingerprint: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query('project') project: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<SyncResponse<Record<string, never>>> {
    const request = jsonObject(body);
    const isPublic = optionalBoolean(request, 'public');
    const autoUpdate = optionalBoolean(request, 'auto_update');
    const properties = stringMap(request, 'properties');
    const expiry = expiresAt(request);
    checkProfiles(request);
    const image = await this.write(fingerprint, project, ifMatch, (current) => ({
      public: isPublic ?? current.public,
      autoUpdate: autoUpdate ?? current.autoUpdate,
      properties: properties === undefined ? current.properties : { ...current.properties, ...properties },
      expiresAt: expiry ?? current.expiresAt,
    }));
    emitLifecycle(this.events, 'image-updated', imageSource(image.fingerprint, image.project), ctx, undefined, image.project);
    return syncResponse({});
  }

  @Delete(':fingerprint')
  async remove(
    @Param('fingerprint') fingerprint: string,
    @Query('project') project: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ) {
    const image = await this.catalog.get(fingerprint, project);
    const op = this.operations.create({
      class: 'task',
      description: 'Deleting image',
      resources: { images: [image.fingerprint] },
      project: image.project,
      run: async () => {
        // Another request may have deleted it since it was resolved.
        const current = await this.catalog.find(image.fingerprint, image.project);
        if (!current) throw notFound('Image not found');
        await this.deleter.delete(current);
        emitLifecycle(this.events, 'image-deleted', imageSource(image.fingerprint, image.project), ctx, undefined, image.project);
      },
    });
    return replyAsync(reply, op);
  }

  /** The image file: this member's copy, or streamed from a member that has one. */
  @Get(':fingerprint/export')
  @AllowUntrusted()
  async export(
    @Param('fingerprint') fingerprint: string,
    @Query('project') project: string | undefined,
    @Res() reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    const image = await this.visible(fingerprint, project, ctx);
    const local = await this.files.file(image.fingerprint);
    if (local) {
      reply.headers(exportHeaders(image.fingerprint, local.size, await fileExtension(local.path)));
      emitLifecycle(this.events, 'image-retrieved', imageSource(image.fingerprint, image.project), ctx, undefined, image.project);
      await reply.send(createReadStream(local.path));
      return;
    }
    const remote = await this.openRemote(image.fingerprint);
    reply.headers({
      'Content-Type': 'application/octet-stream',
      ...(remote.size !== undefined ? { 'Content-Length': String(remote.size) } : {}),
      'Content-Disposition': remote.disposition ?? `inline;filename=${image.fingerprint}`,
    });
    emitLifecycle(this.events, 'image-retrieved', imageSource(image.fingerprint, image.project), ctx, undefined, image.project);
    await reply.send(remote.stream);
  }

  /** The image, which an untrusted client sees only when it is public. */
  private async visible(fingerprint: string, project: string | undefined, ctx: RequestContext): Promise<ImageRecord> {
    const image = await this.catalog.get(fingerprint, project);
    if (!image.public && !ctx.trusted) throw notFound(`Image "${image.fingerprint}" not found`);
    return image;
  }

  private async openRemote(fingerprint: string) {
    const self = await this.localNode.id();
    const failures: string[] = [];
    for (const holder of await this.holdings.holders(fingerprint)) {
      if (holder.nodeId === self) continue;
      try {
        return await this.transport.open(holder.address, fingerprint);
      } catch (err) {
        failures.push(`${holder.name}: ${(err as Error).message}`);
      }
    }
    throw new LxdError(503, failures.length ? `No member could serve image ${fingerprint}: ${failures.join('; ')}` : `Image ${fingerprint} is not available on any cluster member`);
  }

  /**
   * Read, check the ETag, compute the change, write guarded by what was read (see guardedWrite for a
   * lost race).
   */
  private async write(fingerprint: string, project: string | undefined, ifMatchHeader: string | undefined, next: (current: ImageRecord) => ImageChanges): Promise<ImageRecord> {
    const ifMatch = ifMatchOf(ifMatchHeader);
    return guardedWrite(async () => {
      const current = await this.catalog.get(fingerprint, project);
      const etag = imageEtag(current);
      if (ifMatch !== undefined && ifMatch !== etag) throw preconditionFailed(`ETag doesn't match: ${etag} vs ${ifMatch}`);
      await this.catalog.update(current.id, current.state, next(current));
      return current;
    }, { ifMatch });
  }
}
