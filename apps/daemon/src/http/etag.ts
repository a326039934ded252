/**
 * ETags as LXD computes them: the SHA-256 of a JSON encoding of the object's editable fields, with
 * object keys sorted (as Go's encoding/json writes maps), sent as `ETag: "<hex>"`. A request's
 * `If-Match` must carry the current one or the write is refused with 412.
 */
import { createHash } from 'node:crypto';
import { preconditionFailed } from './lxd-error';

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function etagOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** The ETag in an If-Match header (quotes and a weak prefix removed), or undefined. */
export function ifMatchOf(header: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** Throws 412 like LXD when the client's If-Match is not the current ETag. */
export function checkIfMatch(header: string | string[] | undefined, current: string): void {
  const given = ifMatchOf(header);
  if (given !== undefined && given !== current) throw preconditionFailed(`ETag doesn't match: ${current} vs ${given}`);
}
