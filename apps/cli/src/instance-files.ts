import type * as http from 'node:http';
import type { Readable } from 'node:stream';
import type { LxdClient } from './client';
import { CubedError } from './cubed-error';
import { instancePath } from './instance-paths';

/** A file of an instance as GET /1.0/instances/<name>/files?path= gives it (X-LXD-* headers). */
export interface InstanceFile {
  /** `file`, `directory` or `symlink` (X-LXD-type; `file` when absent). */
  type: string;
  /** -1 when the server did not say. */
  uid: number;
  gid: number;
  /** The permission bits; -1 when the server did not say. */
  mode: number;
  /** A directory's entries. */
  entries: string[];
  /** The content of a file, the target of a symlink (to be read); undefined for a directory. */
  body?: http.IncomingMessage;
}

/** What is written with POST /1.0/instances/<name>/files?path=. */
export interface FileWrite {
  type: 'file' | 'directory' | 'symlink';
  /** Headers are sent only for values from 0 on. */
  uid: number;
  gid: number;
  mode: number;
  /** `overwrite` (the server's default) or `append`. */
  write?: 'overwrite' | 'append';
  content?: Buffer | Readable;
  /** The content's length, when known (else it is sent chunked). */
  length?: number;
}

/** `/1.0/instances/<name>/files?path=<path>`. */
export function filePath(instance: string, path: string): string {
  return `${instancePath(instance)}/files?${new URLSearchParams({ path }).toString()}`;
}

/** Reads a file, directory or symlink of an instance. */
export async function getInstanceFile(client: LxdClient, instance: string, path: string): Promise<InstanceFile> {
  const { headers, body } = await client.download(filePath(instance, path));
  const text = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const integer = (name: string) => {
    const value = text(name);
    return value !== undefined && /^[-+]?\d+$/.test(value) ? Number(value) : -1;
  };
  const rawMode = text('x-lxd-mode');
  const mode = rawMode !== undefined && /^[-+]?\d+$/.test(rawMode) ? parseGoInteger(rawMode) & 0o777 : -1;
  const type = text('x-lxd-type') || 'file';
  const file: InstanceFile = { type, uid: integer('x-lxd-uid'), gid: integer('x-lxd-gid'), mode, entries: [] };
  if (type !== 'directory') return { ...file, body };
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  let envelope: { metadata?: unknown };
  try {
    envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof envelope;
  } catch {
    throw new CubedError(`unexpected response from the daemon for the directory ${path} (not an LXD envelope)`);
  }
  const entries = Array.isArray(envelope.metadata) ? envelope.metadata.map(String) : [];
  return { ...file, entries };
}

/** Creates or writes a file, directory or symlink in an instance. */
export async function putInstanceFile(
  client: LxdClient,
  instance: string,
  path: string,
  write: FileWrite,
): Promise<void> {
  const headers: http.OutgoingHttpHeaders = {};
  if (write.uid > -1) headers['X-LXD-uid'] = String(write.uid);
  if (write.gid > -1) headers['X-LXD-gid'] = String(write.gid);
  if (write.mode > -1) headers['X-LXD-mode'] = write.mode.toString(8).padStart(4, '0');
  headers['X-LXD-type'] = write.type;
  if (write.write) headers['X-LXD-write'] = write.write;
  const content = write.content ?? Buffer.alloc(0);
  const length = Buffer.isBuffer(content) ? content.length : write.length;
  if (length !== undefined) headers['Content-Length'] = length;
  await client.upload('POST', filePath(instance, path), content, headers);
}

/** A strconv.ParseInt(text, 0, 0) of the mode header: octal with a leading 0, decimal otherwise. */
function parseGoInteger(text: string): number {
  const negative = text.startsWith('-');
  const digits = text.replace(/^[-+]/, '');
  const value = digits.length > 1 && digits.startsWith('0') ? Number.parseInt(digits.slice(1), 8) : Number(digits);
  return negative ? -value : value;
}
