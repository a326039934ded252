/**
 * Member-to-member image endpoints (the cluster certificate, or the unix socket of the member):
 *
 * - GET /internal/images/<fp>/file: this member's copy of the image file (404 when it has none);
 * - POST /internal/images/<fp>/fetch: make sure this member has its own copy (ImageService
 *   ensureLocal: copied from a member that holds one, checked against the fingerprint, unpacked,
 *   recorded); what image synchronisation asks of members that lack a copy;
 * - DELETE /internal/images/<fp>: delete this member's copy (the image is being deleted).
 */
import { createReadStream } from 'node:fs';
import { Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SyncResponse, syncResponse } from '../envelope';
import { badRequest, forbidden, notFound } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { ImageDeleter } from './image-deleter';
import { exportHeaders, fileExtension } from './image-export';
import { isFingerprint } from './image-fingerprint';
import { ImageService } from './image-service';
import { LocalImageFiles } from './local-image-files';

function checkCaller(ctx: RequestContext, fingerprint: string): void {
  if (ctx.protocol !== 'cluster' && ctx.protocol !== 'unix') throw forbidden('Only cluster members use the internal image endpoints');
  if (!isFingerprint(fingerprint)) throw badRequest(`Invalid image fingerprint "${fingerprint}"`);
}

@Controller('/internal/images')
export class InternalImagesController {
  constructor(
    private readonly files: LocalImageFiles,
    private readonly images: ImageService,
    private readonly deleter: ImageDeleter,
  ) {}

  @Get(':fingerprint/file')
  async file(@Param('fingerprint') fingerprint: string, @Res() reply: FastifyReply, @Ctx() ctx: RequestContext): Promise<void> {
    checkCaller(ctx, fingerprint);
    const local = await this.files.file(fingerprint);
    if (!local) throw notFound('Image not found on this member');
    reply.headers(exportHeaders(fingerprint, local.size, await fileExtension(local.path)));
    await reply.send(createReadStream(local.path));
  }

  @Post(':fingerprint/fetch')
  @HttpCode(200)
  async fetch(@Param('fingerprint') fingerprint: string, @Ctx() ctx: RequestContext): Promise<SyncResponse<{ fingerprint: string; size: number }>> {
    checkCaller(ctx, fingerprint);
    const local = await this.images.ensureLocal(fingerprint);
    return syncResponse({ fingerprint: local.image.fingerprint, size: local.file.size });
  }

  @Delete(':fingerprint')
  async remove(@Param('fingerprint') fingerprint: string, @Ctx() ctx: RequestContext): Promise<SyncResponse<Record<string, never>>> {
    checkCaller(ctx, fingerprint);
    await this.deleter.deleteLocalCopy(fingerprint);
    return syncResponse({});
  }
}
