/**
 * The API requests bench:api measures, each as a closed-loop load: profile creates (unique names),
 * server config updates, linearizable profile reads and member listings.
 */
import type { LoadRequest } from './keepalive-load';

export type WorkloadId = 'profile-create' | 'server-patch' | 'profile-get' | 'members-get';

export interface Workload {
  id: WorkloadId;
  what: string;
  clients: number;
  expectStatus: number;
  next(client: number, seq: number): LoadRequest;
}

/** The profile every read workload fetches; created before the loads run. */
export const READ_PROFILE = 'bench-read';

/** `tag` keeps the names of each load's profiles apart (e.g. "cubed-leader"). */
export function apiWorkloads(tag: string, manyClients: number): Workload[] {
  const create = (clients: number): Workload => ({
    id: 'profile-create',
    what: 'POST /1.0/profiles (create, unique names)',
    clients,
    expectStatus: 201,
    next: (client, seq) => ({ method: 'POST', path: '/1.0/profiles', body: { name: `b-${tag}-${clients}-${client}-${seq}`, description: '', config: {}, devices: {} } }),
  });
  const read = (clients: number): Workload => ({
    id: 'profile-get',
    what: `GET /1.0/profiles/${READ_PROFILE} (linearizable read)`,
    clients,
    expectStatus: 200,
    next: () => ({ method: 'GET', path: `/1.0/profiles/${READ_PROFILE}` }),
  });
  return [
    create(1),
    create(manyClients),
    {
      id: 'server-patch',
      what: 'PATCH /1.0 (config user.bench)',
      clients: 1,
      expectStatus: 200,
      next: (client, seq) => ({ method: 'PATCH', path: '/1.0', body: { config: { 'user.bench': `${tag}-${client}-${seq}` } } }),
    },
    read(1),
    read(manyClients),
    {
      id: 'members-get',
      what: 'GET /1.0/cluster/members',
      clients: 1,
      expectStatus: 200,
      next: () => ({ method: 'GET', path: '/1.0/cluster/members' }),
    },
  ];
}
