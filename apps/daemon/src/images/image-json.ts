/**
 * Images and aliases in LXD's API shape (shared/api/image.go of LXD 5.0.2), and their ETags.
 */
import { createHash } from 'node:crypto';
import { etagOf } from '../http/etag';
import { goTime, unixSecondsTime } from './go-time';
import type { ImageAliasRecord, ImageRecord } from './image-record';

export interface ImageJson {
  auto_update: boolean;
  properties: Record<string, string>;
  public: boolean;
  expires_at: string;
  profiles: string[];
  aliases: { name: string; description: string }[];
  architecture: string;
  cached: boolean;
  filename: string;
  fingerprint: string;
  size: number;
  type: string;
  created_at: string;
  last_used_at: string;
  uploaded_at: string;
}

export interface ImageAliasJson {
  description: string;
  target: string;
  name: string;
  type: string;
}

/** Every image uses its project's default profile (the profiles of an image are not stored separately). */
export const IMAGE_PROFILES: readonly string[] = ['default'];

export function imageJson(image: ImageRecord): ImageJson {
  return {
    auto_update: image.autoUpdate,
    properties: image.properties,
    public: image.public,
    expires_at: image.expiresAt ? goTime(image.expiresAt) : unixSecondsTime(0),
    profiles: [...IMAGE_PROFILES],
    aliases: image.aliases.map((a) => ({ name: a.name, description: a.description })),
    architecture: image.architecture,
    cached: image.cached,
    filename: image.filename,
    fingerprint: image.fingerprint,
    size: image.size,
    type: image.type,
    created_at: goTime(image.createdAt),
    last_used_at: goTime(image.lastUsedAt),
    uploaded_at: goTime(image.uploadedAt),
  };
}

/** LXD's image ETag: the hash of [public, auto_update, properties]. */
export function imageEtag(image: ImageRecord): string {
  return etagOf([image.public, image.autoUpdate, image.properties]);
}

export function aliasJson(alias: ImageAliasRecord): ImageAliasJson {
  return { description: alias.description, target: alias.target, name: alias.name, type: alias.type };
}

/** LXD's alias ETag: the hash of the alias entry, encoded with its fields in Go's struct order. */
export function aliasEtag(alias: ImageAliasRecord): string {
  return createHash('sha256').update(JSON.stringify(aliasJson(alias))).digest('hex');
}
