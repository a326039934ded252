/**
 * Request bodies taken raw, as the unread request stream (so that an upload is written out as it
 * arrives, never held whole in memory by the parser):
 * - on routes marked with @RawBody(), every body, whatever its Content-Type or without one (as
 *   `lxc file push` and pylxd send file contents);
 * - on the routes `takesRawBody` names, an `application/octet-stream` body (image uploads).
 * Any other `application/octet-stream` body is decoded as JSON, as LXD decodes every body whatever its
 * Content-Type: empty is `undefined`, invalid JSON a 400, a body over Fastify's bodyLimit a 413.
 *
 * This is the one parser for `application/octet-stream`: register it after the daemon's catch-all
 * JSON parser (that one removes every parser registered before it) and before anything else that
 * would take that type. Registering it again on the same instance does nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RouteConfig } from '@nestjs/platform-fastify';
import { jsonBodyParser } from './json-body';

export const RAW_BODY_CONTENT_TYPE = 'application/octet-stream';

/** The route config key that @RawBody() sets. */
const RAW_BODY_KEY = 'cubedRawBody';

/** Marks a route whose body arrives raw (a stream) whatever its Content-Type. */
export const RawBody = (): MethodDecorator => RouteConfig({ [RAW_BODY_KEY]: true });

export interface RawBodyParserOptions {
  /** More routes (method, route URL pattern) whose `application/octet-stream` bodies arrive raw. */
  takesRawBody?: (method: string, routeUrl: string | undefined) => boolean;
}

class BodyTooLargeError extends Error {
  readonly statusCode = 413;
  constructor(limit: number) {
    super(`Request body is larger than ${limit} bytes`);
  }
}

function markedRaw(request: FastifyRequest): boolean {
  return (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[RAW_BODY_KEY] === true;
}

const registered = new WeakSet<FastifyInstance>();

/** Whether registerRawBodyParser ran on this Fastify instance. */
export function hasRawBodyParser(fastify: FastifyInstance): boolean {
  return registered.has(fastify);
}

export function registerRawBodyParser(fastify: FastifyInstance, options: RawBodyParserOptions = {}): void {
  if (registered.has(fastify)) return;
  if (fastify.hasContentTypeParser(RAW_BODY_CONTENT_TYPE)) {
    throw new Error(`Another parser already takes ${RAW_BODY_CONTENT_TYPE} bodies: register the raw body parser first (its takesRawBody option names other raw routes)`);
  }
  registered.add(fastify);

  // A marked route's body goes to the raw parser below whatever the client said it is.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (markedRaw(request)) request.raw.headers['content-type'] = RAW_BODY_CONTENT_TYPE;
    done(null, payload);
  });

  fastify.addContentTypeParser(RAW_BODY_CONTENT_TYPE, rawOrJsonBodyParser(fastify, (request) => markedRaw(request) || options.takesRawBody?.(request.method, request.routeOptions.url) === true));
}

export type StreamBodyParser = (request: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: unknown) => void) => void;

/**
 * A content-type parser that hands the body on as the request stream, unread, when `takesRaw` says so
 * for the request, and otherwise reads it whole and decodes it as JSON: empty is `undefined`, invalid
 * JSON a 400, a body over Fastify's bodyLimit a 413.
 */
export function rawOrJsonBodyParser(fastify: FastifyInstance, takesRaw: (request: FastifyRequest) => boolean): StreamBodyParser {
  const parseJson = jsonBodyParser(fastify);
  const limit = fastify.initialConfig.bodyLimit ?? 1024 * 1024;
  return (request, payload, done) => {
    if (takesRaw(request)) {
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
      parseJson(request, Buffer.concat(chunks).toString('utf8'), done);
    });
  };
}
