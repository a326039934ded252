import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DbError } from '@app/db';
import { errorResponse, jsonBody } from './envelope';

/** HTTP status of each cluster database error (db-errors.ts). */
const DB_ERROR_STATUS: Record<string, number> = {
  refused: HttpStatus.BAD_REQUEST,
  'tx-failed': HttpStatus.BAD_REQUEST,
  'not-leader': HttpStatus.SERVICE_UNAVAILABLE,
  'no-quorum': HttpStatus.SERVICE_UNAVAILABLE,
  closed: HttpStatus.SERVICE_UNAVAILABLE,
  timeout: HttpStatus.GATEWAY_TIMEOUT,
};

/**
 * Turns every error into LXD's error envelope: HTTP status = `error_code`, plus
 * `X-Content-Type-Options: nosniff` as LXD sends it. Covers errors thrown by handlers, body parser
 * errors (Nest routes Fastify's error handler here) and unknown routes (Nest's not-found handler).
 */
@Catch()
export class LxdExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('API');

  /** `routeExists(method, path)`: whether another method serves the path (then LXD answers 501). */
  constructor(private readonly routeExists: (method: string, path: string) => boolean = () => false) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { code, message } = describe(exception, request, this.routeExists);
    // Internal errors are logged; 501 (a wrong method) and 503 (no quorum, unreachable member, a
    // full disk) are answers.
    if (code === 500 || code === 502) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${request.method} ${request.url}: ${detail}`);
    }
    if (reply.sent || reply.raw.headersSent) return;
    void reply
      .status(code)
      .header('X-Content-Type-Options', 'nosniff')
      .type('application/json')
      // Serialized here: the reply of an unmatched route has Fastify's own serializer.
      .send(jsonBody(errorResponse(code, message)));
  }
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function describe(exception: unknown, request: FastifyRequest, routeExists: (method: string, path: string) => boolean): { code: number; message: string } {
  // No route matched: LXD answers a plain "not found" (Nest's own message would be "Cannot GET /x"),
  // or "not implemented" when the path exists for other methods.
  if (request.is404) {
    const path = request.url.split('?')[0];
    if (METHODS.some((m) => m !== request.method && routeExists(m, path))) return { code: HttpStatus.NOT_IMPLEMENTED, message: 'not implemented' };
    return { code: HttpStatus.NOT_FOUND, message: 'not found' };
  }
  if (exception instanceof HttpException) {
    return { code: exception.getStatus(), message: httpExceptionMessage(exception) };
  }
  // A write that found the disk full (SQLite's or the file system's answer): the member cannot serve it now.
  if (isDiskFull(exception)) return { code: HttpStatus.SERVICE_UNAVAILABLE, message: (exception as Error).message };
  const dbStatus = exception instanceof Error ? DB_ERROR_STATUS[(exception as { code?: string }).code ?? ''] : undefined;
  if (dbStatus !== undefined && exception instanceof DbError) return { code: dbStatus, message: exception.message };
  if (exception instanceof Error) {
    const status = (exception as { statusCode?: unknown }).statusCode;
    const code = typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
    return { code, message: exception.message || 'internal error' };
  }
  return { code: 500, message: String(exception) };
}

function isDiskFull(exception: unknown): boolean {
  const code = exception instanceof Error ? (exception as { code?: unknown }).code : undefined;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

function httpExceptionMessage(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}
