/**
 * Applies a preseed through the daemon's API, in LXD's order: a member that joins a cluster only
 * sets its own address and joins (everything else comes from the cluster); any other applies the
 * server config, networks, storage pools and profiles (creating or updating each), and then
 * bootstraps the cluster when asked to.
 */
import { LocalApiError, type LocalApi } from './local-api';
import { joins, type Preseed } from './preseed';

async function exists(api: LocalApi, path: string): Promise<boolean> {
  try {
    await api.call('GET', path);
    return true;
  } catch (err) {
    if (err instanceof LocalApiError && err.status === 404) return false;
    throw err;
  }
}

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

export async function applyPreseed(api: LocalApi, p: Preseed): Promise<void> {
  if (joins(p)) {
    const c = p.cluster!;
    const local: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.config ?? {})) if (k === 'core.https_address' || k === 'cluster.https_address') local[k] = v;
    if (Object.keys(local).length) await step('Failed to update the server configuration', () => api.call('PATCH', '/1.0', { config: local }));
    await step('Failed to join the cluster', () =>
      api.call('PUT', '/1.0/cluster', {
        server_name: c.server_name,
        enabled: true,
        server_address: c.server_address ?? '',
        cluster_address: c.cluster_address ?? '',
        cluster_certificate: c.cluster_certificate ?? '',
        cluster_token: c.cluster_token ?? '',
        cluster_password: c.cluster_password,
        member_config: c.member_config ?? [],
      }),
    );
    return;
  }
  if (p.config && Object.keys(p.config).length) await step('Failed to update the server configuration', () => api.call('PATCH', '/1.0', { config: p.config }));
  for (const n of p.networks ?? []) {
    const body = { name: n.name, type: n.type ?? 'bridge', description: n.description ?? '', config: n.config ?? {} };
    await step(`Failed to create network "${n.name}"`, async () =>
      (await exists(api, `/1.0/networks/${encodeURIComponent(n.name)}`))
        ? api.call('PUT', `/1.0/networks/${encodeURIComponent(n.name)}`, { description: body.description, config: body.config })
        : api.call('POST', '/1.0/networks', body),
    );
  }
  for (const s of p.storage_pools ?? []) {
    await step(`Failed to create storage pool "${s.name}"`, async () =>
      (await exists(api, `/1.0/storage-pools/${encodeURIComponent(s.name)}`))
        ? api.call('PUT', `/1.0/storage-pools/${encodeURIComponent(s.name)}`, { description: s.description ?? '', config: s.config ?? {} })
        : api.call('POST', '/1.0/storage-pools', { name: s.name, driver: s.driver, description: s.description ?? '', config: s.config ?? {} }),
    );
  }
  for (const pr of p.profiles ?? []) {
    const body = { description: pr.description ?? '', config: pr.config ?? {}, devices: pr.devices ?? {} };
    await step(`Failed to create profile "${pr.name}"`, async () =>
      (await exists(api, `/1.0/profiles/${encodeURIComponent(pr.name)}`))
        ? api.call('PUT', `/1.0/profiles/${encodeURIComponent(pr.name)}`, body)
        : api.call('POST', '/1.0/profiles', { name: pr.name, ...body }),
    );
  }
  if (p.cluster?.enabled) {
    await step('Failed to enable clustering', () => api.call('PUT', '/1.0/cluster', { server_name: p.cluster!.server_name, enabled: true }));
  }
}
