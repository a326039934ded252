import { pathSegment } from './api-path';
import type { LxdClient } from './client';
import { CubedError } from './cubed-error';
import { toGoJson } from './go-shapes';
import { ImageAliasesEntry } from './lxd-shapes';
import type { ImageAliasInfo } from './lxd-types';

/** `/1.0/images/aliases/<name>`. */
export function aliasPath(name: string): string {
  return `/1.0/images/aliases/${pathSegment(name)}`;
}

/**
 * lxc's dereferenceAlias: the fingerprint an alias points to (`default` when no name is given), or the name
 * itself when it is no alias (of `type`, when one is asked for).
 */
export async function dereferenceAlias(client: LxdClient, name: string, type = ''): Promise<string> {
  const alias = name === '' ? 'default' : name;
  let entry: ImageAliasInfo | undefined;
  try {
    entry = await client.get<ImageAliasInfo>(aliasPath(alias));
  } catch {
    return alias;
  }
  if (type !== '' && (entry?.type || 'container') !== type) return alias;
  return entry?.target ?? alias;
}

/**
 * lxc's ensureImageAliases: points the aliases at an image, deleting aliases of those names first (GET
 * /1.0/images/aliases?recursion=1, DELETE, then POST /1.0/images/aliases for each).
 */
export async function ensureImageAliases(
  client: LxdClient,
  names: readonly string[],
  fingerprint: string,
): Promise<void> {
  if (names.length === 0) return;
  const existing = (await client.get<ImageAliasInfo[]>('/1.0/images/aliases?recursion=1')) ?? [];
  for (const alias of existing) {
    if (!alias.name || !names.includes(alias.name)) continue;
    try {
      await client.request('DELETE', aliasPath(alias.name));
    } catch (err) {
      throw new CubedError(`Failed to remove alias ${alias.name}: ${(err as Error).message}`);
    }
  }
  for (const name of names) {
    try {
      await client.request('POST', '/1.0/images/aliases', toGoJson({ name, target: fingerprint }, ImageAliasesEntry));
    } catch (err) {
      throw new CubedError(`Failed to create alias ${name}: ${(err as Error).message}`);
    }
  }
}
