/**
 * An error to answer with LXD's error envelope: `statusCode` becomes the HTTP status and the
 * envelope's `error_code`, the message its `error` (see LxdExceptionFilter).
 */
export class LxdError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'LxdError';
  }
}

export const badRequest = (message: string): LxdError => new LxdError(400, message);
export const forbidden = (message = 'not authorized'): LxdError => new LxdError(403, message);
export const notFound = (message = 'not found'): LxdError => new LxdError(404, message);
export const conflict = (message: string): LxdError => new LxdError(409, message);
export const preconditionFailed = (message: string): LxdError => new LxdError(412, message);
export const internalError = (message: string): LxdError => new LxdError(500, message);
export const notImplementedMethod = (): LxdError => new LxdError(501, 'not implemented');
export const unavailable = (message: string): LxdError => new LxdError(503, message);
