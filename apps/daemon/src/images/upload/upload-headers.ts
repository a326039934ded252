/**
 * The headers that describe a raw image upload, as the lxc 5.0.2 client sends them with
 * `lxc image import` and LXD reads them:
 *
 * - `X-LXD-filename`: the original file name (recorded as the image's `filename`);
 * - `X-LXD-public`: whether the image is public (true for "1", "yes", "true", "on", any case);
 * - `X-LXD-properties`: properties as URL-encoded `key=value` pairs (the header may repeat; the
 *   first value of a key wins within one header, later headers override earlier ones), which
 *   override the properties of metadata.yaml;
 * - `X-LXD-fingerprint`: the fingerprint the upload must have.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface UploadHeaders {
  filename: string;
  public: boolean;
  properties: Record<string, string>;
  expectedFingerprint?: string;
}

/** LXD's shared.IsTrue. */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'yes', 'true', 'on'].includes(value.trim().toLowerCase());
}

function headerValues(headers: IncomingHttpHeaders, name: string): string[] {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

/** One X-LXD-properties header as Go's url.ParseQuery reads it (first value of each key). */
export function parsePropertiesHeader(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of new URLSearchParams(value)) if (!(key in out)) out[key] = item;
  return out;
}

export function parseUploadHeaders(headers: IncomingHttpHeaders): UploadHeaders {
  const properties: Record<string, string> = {};
  // Node joins repeated headers with ", "; each one is its own query string.
  for (const raw of headerValues(headers, 'x-lxd-properties')) {
    for (const one of raw.split(/,\s*(?=[^=&,]*=)/)) Object.assign(properties, parsePropertiesHeader(one));
  }
  const fingerprint = firstHeader(headers, 'x-lxd-fingerprint')?.trim();
  return {
    filename: firstHeader(headers, 'x-lxd-filename') ?? '',
    public: isTrue(firstHeader(headers, 'x-lxd-public')),
    properties,
    ...(fingerprint ? { expectedFingerprint: fingerprint } : {}),
  };
}
