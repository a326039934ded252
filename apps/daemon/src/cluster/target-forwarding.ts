/**
 * `?target=<member>`: a request meant for another member is passed to it whole (method, path,
 * query, headers, body) over HTTPS with the cluster certificate, and its answer streamed back, as
 * LXD forwards. The target member handles it as if it came to it directly. Websocket upgrades are
 * served here (events reach every member anyway).
 */
import type { FastifyInstance } from 'fastify';
import type { Databases } from '../database/databases';
import { errorResponse } from '../envelope';
import type { MemberIdentity } from '../identity/member-identity';
import type { TrustStore } from '../trust/trust-store';
import type { PeerClient } from './peer-client';

export interface TargetForwardingDeps {
  databases: Databases;
  identity: MemberIdentity;
  trust: TrustStore;
  peers: PeerClient;
}

export function registerTargetForwarding(fastify: FastifyInstance, deps: TargetForwardingDeps): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const target = (request.query as Record<string, unknown> | undefined)?.target;
    // `@<group>` targets are placement requests, answered where they arrive.
    if (typeof target !== 'string' || target === '' || target.startsWith('@') || (request as { ws?: boolean }).ws) return done();
    if (!deps.databases.clustered) return done(); // a standalone server ignores targets, as LXD does
    if (target === deps.identity.name) return done();
    const ctx = deps.trust.identify(request.raw.socket);
    const fail = (code: number, message: string): void => {
      void reply.status(code).header('X-Content-Type-Options', 'nosniff').type('application/json').send(errorResponse(code, message));
    };
    if (!ctx.trusted) return fail(403, 'not authorized');
    const rows = deps.databases.global.stateMachine.query<{ address: string }>('SELECT address FROM nodes WHERE name = ?', [target]);
    if (!rows[0]) return fail(404, 'Cluster member not found');
    reply.hijack();
    deps.peers.proxy(rows[0].address, request.raw, reply.raw, request.raw.url ?? request.url);
  });
}
