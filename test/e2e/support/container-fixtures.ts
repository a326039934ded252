/** What container tests start from: a preseed part with the `default` dir pool and root disk, and a busybox image. */
import * as path from 'node:path';
import { buildBusyboxImage, NodeCommandRunner } from '@app/runtime';

/** `storage_pools` and `profiles` of a bootstrap preseed: the default pool and the default profile's root disk. */
export const DEFAULT_POOL_PRESEED = `storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
`;

/** Builds the busybox image tarball (from Debian's busybox-static) in `dir`; returns its path. */
export async function buildBusyboxTarball(dir: string): Promise<string> {
  const built = await buildBusyboxImage({ outputPath: path.join(dir, 'busybox.tar.gz'), runner: new NodeCommandRunner(), creationDate: new Date('2026-01-01T00:00:00Z') });
  return built.path;
}
