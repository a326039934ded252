/**
 * POST /1.0/images with a JSON body (an ImagesPost naming a `source` instead of uploading a file).
 * This server imports images from uploads only; every JSON source gets the error that says why:
 * sources LXD does not know at all get LXD's "Invalid images JSON", the others name what this
 * server does not do (copy from another server, push mode, publish an instance, download a URL).
 */
import { badRequest, type LxdError } from '../http/lxd-error';
import type { JsonObject } from './image-request-bodies';

const INSTANCE_SOURCES = ['container', 'instance', 'virtual-machine', 'snapshot'];

export function imageSourceRefusal(body: JsonObject): LxdError {
  const source = body.source;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    return badRequest('No image source given: upload the image tarball (application/octet-stream or multipart/form-data) or name a source');
  }
  const { type, mode } = source as { type?: unknown; mode?: unknown };
  if (mode === 'push') return badRequest('Pushing images to this server (source mode "push") is not supported: upload the image tarball instead');
  if (type === 'image') return badRequest('Copying images from another server (source type "image") is not supported: export the image there and upload it here');
  if (type === 'url') return badRequest('Downloading images from a URL (source type "url") is not supported: upload the image tarball instead');
  if (typeof type === 'string' && INSTANCE_SOURCES.includes(type)) return badRequest(`Publishing an instance as an image (source type "${type}") is not supported`);
  return badRequest('Invalid images JSON');
}
