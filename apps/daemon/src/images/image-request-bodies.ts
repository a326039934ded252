/**
 * The JSON bodies of the images API (LXD's ImagePut, ImageAliasesPost, ImageAliasesEntryPut,
 * ImageAliasesEntryPost), checked field by field: a field of the wrong type is a 400 that names it.
 */
import { badRequest } from '../http/lxd-error';
import { parseRequestTime } from './go-time';
import { IMAGE_PROFILES } from './image-json';
import { isJsonObject } from '../http/json-object';

export type JsonObject = Record<string, unknown>;

export function jsonObject(body: unknown): JsonObject {
  if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
  return body as JsonObject;
}

export function optionalBoolean(body: JsonObject, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${field} must be true or false`);
  return value;
}

export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}

export function stringMap(body: JsonObject, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${field} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as JsonObject)) {
    if (typeof item !== 'string') throw badRequest(`Invalid value for ${field} key "${key}": expected a string`);
    out[key] = item;
  }
  return out;
}

/** `expires_at`: undefined when absent or the zero time (LXD keeps the current expiry then). */
export function expiresAt(body: JsonObject): string | undefined {
  const value = optionalString(body, 'expires_at');
  if (value === undefined) return undefined;
  try {
    return parseRequestTime(value, 'expires_at');
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

/** `profiles`: every image uses its project's default profile, and that is all it can be given. */
export function checkProfiles(body: JsonObject): void {
  const value = body.profiles;
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) throw badRequest('profiles must be a list of profile names');
  const names = [...new Set(value as string[])];
  if (names.length === 0 || (names.length === IMAGE_PROFILES.length && names.every((n) => IMAGE_PROFILES.includes(n)))) return;
  throw badRequest(`Image profiles other than "default" cannot be set: every image uses its project's default profile (asked for: ${names.join(', ')})`);
}

/** An alias name has no "/": it is one path segment of /1.0/images/aliases/<name>. */
export function checkAliasName(name: string): void {
  if (name.includes('/')) throw badRequest(`Invalid alias name "${name}": "/" is not allowed`);
}
