/**
 * Requests about one instance (`/1.0/instances/<name>/...`, `/1.0/containers/<name>/...`) go to the
 * member the instance lives on: passed whole over HTTPS with the cluster certificate, the answer
 * streamed back, as LXD forwards them. The member is looked up in this member's copy of the global
 * database, and with a linearizable read when the copy does not know the instance (yet). A request
 * that was forwarded once is never forwarded again.
 */
import type { FastifyInstance } from 'fastify';
import type { Databases } from '../database/databases';
import { errorResponse } from '../envelope';
import type { MemberIdentity } from '../identity/member-identity';
import type { TrustStore } from '../trust/trust-store';
import type { PeerClient } from '../cluster/peer-client';
import type { InstanceStore } from './instance-store';

export const FORWARDED_HEADER = 'x-cubed-forwarded';

const INSTANCE_PATH = /^\/1\.0\/(?:instances|containers)\/([^/?]+)/;

export interface InstanceForwardingDeps {
  databases: Databases;
  identity: MemberIdentity;
  trust: TrustStore;
  peers: PeerClient;
  store: InstanceStore;
}

export function registerInstanceForwarding(fastify: FastifyInstance, deps: InstanceForwardingDeps): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!deps.databases.clustered || (request as { ws?: boolean }).ws) return;
    const match = INSTANCE_PATH.exec(request.url);
    if (!match || request.headers[FORWARDED_HEADER] !== undefined) return;
    let name: string;
    try {
      name = decodeURIComponent(match[1]);
    } catch {
      return;
    }
    const query = request.query as Record<string, unknown> | undefined;
    const project = typeof query?.project === 'string' && query.project !== '' ? query.project : 'default';
    const where = deps.store.locateLocally(project, name) ?? (await deps.store.locate(project, name).catch(() => undefined));
    if (!where || where.nodeId === deps.identity.node.id) return;
    const ctx = deps.trust.identify(request.raw.socket);
    if (!ctx.trusted) {
      await reply.status(403).header('X-Content-Type-Options', 'nosniff').type('application/json').send(errorResponse(403, 'not authorized'));
      return reply;
    }
    request.raw.headers[FORWARDED_HEADER] = deps.identity.name;
    reply.hijack();
    deps.peers.proxy(where.address, request.raw, reply.raw, request.raw.url ?? request.url);
    return reply;
  });
}
