/**
 * Request bodies of image uploads (application/octet-stream, multipart/form-data): for
 * POST /1.0/images the body is handed to the handler as the request stream, unread, so that it is
 * written to disk as it arrives; on any other route such a body is decoded as JSON, as LXD decodes
 * every body whatever its Content-Type (an empty body is `undefined`, invalid JSON a 400, a body
 * over Fastify's bodyLimit a 413).
 *
 * Call after the daemon's catch-all JSON parser is registered (that one removes every parser
 * registered before it).
 */
import type { FastifyInstance } from 'fastify';
import { rawOrJsonBodyParser } from '../../http/raw-body-parser';

export const IMAGE_UPLOAD_CONTENT_TYPES = ['application/octet-stream', 'multipart/form-data'] as const;

/** Routes (method and path pattern) whose body is an image upload. */
const RAW_BODY_ROUTES: ReadonlySet<string> = new Set(['POST /1.0/images']);

export function takesRawImageBody(method: string, routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && RAW_BODY_ROUTES.has(`${method.toUpperCase()} ${routeUrl}`);
}

export function registerImageUploadParsers(fastify: FastifyInstance): void {
  const parser = rawOrJsonBodyParser(fastify, (request) => takesRawImageBody(request.method, request.routeOptions.url));
  for (const type of IMAGE_UPLOAD_CONTENT_TYPES) {
    if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, parser);
  }
}
