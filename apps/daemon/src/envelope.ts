/**
 * LXD response envelopes (see LXD's `api.Response`). Every JSON answer of the API is one of these.
 */

export interface SyncResponse<T = unknown> {
  type: 'sync';
  status: 'Success';
  status_code: 200;
  operation: '';
  error_code: 0;
  error: '';
  metadata: T;
}

export interface ErrorResponse {
  type: 'error';
  status: '';
  status_code: 0;
  operation: '';
  error_code: number;
  error: string;
  metadata: null;
}

export type Envelope<T = unknown> = SyncResponse<T> | ErrorResponse;

export function syncResponse<T>(metadata: T): SyncResponse<T> {
  return { type: 'sync', status: 'Success', status_code: 200, operation: '', error_code: 0, error: '', metadata };
}

/** A JSON body as LXD writes one (Go's json.Encoder): the JSON text and a newline. */
export function jsonBody(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export function errorResponse(code: number, message: string): ErrorResponse {
  return { type: 'error', status: '', status_code: 0, operation: '', error_code: code, error: message, metadata: null };
}

export interface AsyncResponse<T = unknown> {
  type: 'async';
  status: 'Operation created';
  status_code: 100;
  operation: string;
  error_code: 0;
  error: '';
  metadata: T;
}

/** An operation started: HTTP 202 with `Location: <operation URL>` (the caller sets both). */
export function asyncResponse<T>(operationUrl: string, metadata: T): AsyncResponse<T> {
  return { type: 'async', status: 'Operation created', status_code: 100, operation: operationUrl, error_code: 0, error: '', metadata };
}
