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
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const IMAGE_UPLOAD_CONTENT_TYPES = ['application/octet-stream', 'multipart/form-data'] as const;

/** Routes (method and path pattern) whose body is an image upload. */
const RAW_BODY_ROUTES: ReadonlySet<string> = new Set(['POST /1.0/images']);

export function takesRawImageBody(method: string, routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && RAW_BODY_ROUTES.has(`${method.toUpperCase()} ${routeUrl}`);
}

class BodyTooLargeError extends Error {
  readonly statusCode = 413;
  constructor(limit: number) {
    super(`Request body is larger than ${limit} bytes`);
  }
}

export function registerImageUploadParsers(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const limit = fastify.initialConfig.bodyLimit ?? 1024 * 1024;
  const parser = (request: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: unknown) => void): void => {
    if (takesRawImageBody(request.method, request.routeOptions.url)) {
      done(null, payload);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    payload.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        done(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    payload.on('error', (err: Error) => {
      if (failed) return;
      failed = true;
      done(err);
    });
    payload.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      parseJson(request, text, done);
    });
  };
  for (const type of IMAGE_UPLOAD_CONTENT_TYPES) {
    if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, parser);
  }
}
