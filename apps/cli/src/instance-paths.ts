import { pathSegment } from './api-path';

/** `/1.0/instances/<name>`. */
export function instancePath(name: string): string {
  return `/1.0/instances/${pathSegment(name)}`;
}

/** `/1.0/instances/<instance>/snapshots/<snapshot>`. */
export function snapshotPath(instance: string, snapshot: string): string {
  return `${instancePath(instance)}/snapshots/${pathSegment(snapshot)}`;
}

/** `<instance>/<snapshot>` split at its first slash (lxc's shared.IsSnapshot and GetParentAndSnapshotName). */
export function splitSnapshotName(name: string): { instance: string; snapshot?: string } {
  const slash = name.indexOf('/');
  return slash < 0 ? { instance: name } : { instance: name.slice(0, slash), snapshot: name.slice(slash + 1) };
}
