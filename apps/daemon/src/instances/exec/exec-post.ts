/**
 * The body of POST /1.0/instances/<name>/exec (LXD's `InstanceExecPost`), checked field by field:
 * a field of the wrong type is a 400 naming the field (LXD's JSON decoding refuses it too), a missing
 * or null field takes LXD's zero value.
 */
import { badRequest } from '../../http/lxd-error';
import { isJsonObject } from '../../http/json-object';

export interface ExecPost {
  command: string[];
  environment: Record<string, string>;
  interactive: boolean;
  waitForWebsocket: boolean;
  recordOutput: boolean;
  /** Terminal size of an interactive command; 0 leaves the default. */
  width: number;
  height: number;
  user: number;
  group: number;
  /** Working directory; empty for the user's home directory. */
  cwd: string;
}

const MAX_ID = 0xffffffff;

type Body = Record<string, unknown>;

function invalid(field: string, expected: string): never {
  throw badRequest(`Invalid exec request: "${field}" must be ${expected}`);
}

function present(body: Body, field: string): unknown {
  const value = body[field];
  return value === null ? undefined : value;
}

function bool(body: Body, field: string): boolean {
  const value = present(body, field);
  if (value === undefined) return false;
  if (typeof value !== 'boolean') invalid(field, 'true or false');
  return value;
}

function integer(body: Body, field: string, min: number, max: number): number {
  const value = present(body, field);
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) invalid(field, `a whole number from ${min} to ${max}`);
  return value;
}

function text(body: Body, field: string): string {
  const value = present(body, field);
  if (value === undefined) return '';
  if (typeof value !== 'string') invalid(field, 'a string');
  return value;
}

function command(body: Body): string[] {
  const value = present(body, 'command');
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((word) => typeof word !== 'string')) invalid('command', 'a list of strings');
  return [...(value as string[])];
}

function environment(body: Body): Record<string, string> {
  const value = present(body, 'environment');
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) invalid('environment', 'an object of strings');
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Body)) {
    if (typeof entry !== 'string') invalid(`environment.${key}`, 'a string');
    result[key] = entry;
  }
  return result;
}

export function parseExecPost(body: unknown): ExecPost {
  if (body === undefined) throw badRequest('unexpected end of JSON input');
  if (!isJsonObject(body)) throw badRequest('Invalid exec request: expected a JSON object');
  const fields = body as Body;
  const post: ExecPost = {
    command: command(fields),
    environment: environment(fields),
    interactive: bool(fields, 'interactive'),
    waitForWebsocket: bool(fields, 'wait-for-websocket'),
    recordOutput: bool(fields, 'record-output'),
    width: integer(fields, 'width', 0, 65535),
    height: integer(fields, 'height', 0, 65535),
    user: integer(fields, 'user', 0, MAX_ID),
    group: integer(fields, 'group', 0, MAX_ID),
    cwd: text(fields, 'cwd'),
  };
  if (post.command.length === 0 || post.command[0] === '') throw badRequest('Invalid exec request: a command is required');
  if (post.recordOutput && post.waitForWebsocket) throw badRequest('Cannot use "record-output" in combination with "wait-for-websocket"');
  if (post.recordOutput && post.interactive) throw badRequest('Cannot use "interactive" in combination with "record-output"');
  return post;
}
