/**
 * LXD's file headers. A push (POST) says what to create with `X-LXD-type` (file, directory or
 * symlink; file when absent), `X-LXD-write` (overwrite or append; overwrite when absent), and the
 * owner and permissions with `X-LXD-uid`, `X-LXD-gid` and `X-LXD-mode` (absent: the defaults). A pull
 * (GET, HEAD) answers with the same headers for what it found.
 *
 * As LXD reads it, a mode with a leading 0 is octal (`0644`, what lxc and pylxd send) and one without
 * is decimal; only the permission bits (0777) are kept. A value of -1 means none. A header that is
 * present but malformed is a 400.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest } from '../../http/lxd-error';

export type PushType = 'file' | 'directory' | 'symlink';
export type WriteMode = 'overwrite' | 'append';

export interface PushHeaders {
  type: PushType;
  write: WriteMode;
  uid?: number;
  gid?: number;
  mode?: number;
}

const MAX_ID = 0xfffffffe;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

function id(headers: IncomingHttpHeaders, name: string): number | undefined {
  const text = header(headers, name);
  // -1 is how LXD's own client would say "unchanged".
  if (text === undefined || text === '-1') return undefined;
  if (!/^\d+$/.test(text) || Number(text) > MAX_ID) throw badRequest(`Invalid ${headerName(name)} header "${text}": expected an id from 0 to ${MAX_ID}`);
  return Number(text);
}

function mode(headers: IncomingHttpHeaders): number | undefined {
  const text = header(headers, 'x-lxd-mode');
  if (text === undefined || text === '-1') return undefined;
  let value: number;
  if (/^0[0-7]*$/.test(text)) value = Number.parseInt(text, 8);
  else if (/^[1-9]\d*$/.test(text)) value = Number(text);
  else throw badRequest(`Invalid X-LXD-mode header "${text}": expected permission bits such as 0644`);
  return value & 0o777;
}

function headerName(name: string): string {
  return name.replace(/^x-lxd-/, 'X-LXD-');
}

export function parsePushHeaders(headers: IncomingHttpHeaders): PushHeaders {
  const type = header(headers, 'x-lxd-type') ?? 'file';
  if (type !== 'file' && type !== 'directory' && type !== 'symlink') throw badRequest(`Bad file type: ${type}`);
  const write = header(headers, 'x-lxd-write') ?? 'overwrite';
  if (write !== 'overwrite' && write !== 'append') throw badRequest(`Bad file write mode: ${write}`);
  return { type, write, uid: id(headers, 'x-lxd-uid'), gid: id(headers, 'x-lxd-gid'), mode: mode(headers) };
}

/** The headers of a pulled path. */
export function pullHeaders(file: { type: PushType; uid: number; gid: number; mode: number }): Record<string, string> {
  return {
    'X-LXD-uid': String(file.uid),
    'X-LXD-gid': String(file.gid),
    'X-LXD-mode': (file.mode & 0o777).toString(8).padStart(4, '0'),
    'X-LXD-type': file.type,
  };
}
