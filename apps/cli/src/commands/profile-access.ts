import { pathSegment } from '../api-path';
import type { Resource } from '../cli-context';
import { CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { ProfilePut } from '../lxd-shapes';
import type { ProfileInfo } from '../lxd-types';

export function profilePath(name: string): string {
  return `/1.0/profiles/${pathSegment(name)}`;
}

/** The profile name of a resource; lxc refuses an empty one. */
export function profileName(resource: Resource): string {
  if (resource.name === '') throw new CubedError('Missing profile name');
  return resource.name;
}

/** GET the profile with its ETag, change its writable part, PUT it back with If-Match. */
export async function updateProfile(
  resource: Resource,
  change: (writable: {
    config: Record<string, string> | null;
    devices: Record<string, Record<string, string>> | null;
  }) => void,
): Promise<void> {
  const name = profileName(resource);
  const { value, etag } = await resource.client.getWithEtag<ProfileInfo>(profilePath(name));
  const writable = toGoJson(value, ProfilePut) as Parameters<typeof change>[0];
  change(writable);
  await resource.client.perform('PUT', profilePath(name), writable, { etag });
}
