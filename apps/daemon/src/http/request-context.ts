/**
 * Who sent a request, as LXD tells: over the unix socket (trusted: file permissions guard it), over
 * HTTPS with a trusted client certificate, or from another cluster member (the cluster
 * certificate). Set on every request by TrustGuard.
 */
import type { FastifyRequest } from 'fastify';

export type RequestProtocol = 'unix' | 'tls' | 'cluster';

export interface RequestContext {
  trusted: boolean;
  protocol: RequestProtocol;
  /** "@" for the unix socket, else ip:port of the client. */
  address: string;
  /** The unix user ("root"), or the client certificate's fingerprint. */
  username: string;
  /** SHA-256 of the client certificate, for HTTPS. */
  fingerprint?: string;
}

/** The requestor object of LXD's lifecycle events. */
export interface Requestor {
  username: string;
  protocol: string;
  address: string;
}

const CONTEXT = Symbol('cubed.requestContext');

export function setRequestContext(request: FastifyRequest, ctx: RequestContext): void {
  (request as unknown as Record<symbol, RequestContext>)[CONTEXT] = ctx;
}

export function requestContextOf(request: FastifyRequest): RequestContext | undefined {
  return (request as unknown as Record<symbol, RequestContext | undefined>)[CONTEXT];
}

export function requestorOf(ctx: RequestContext | undefined): Requestor {
  if (!ctx) return { username: '', protocol: '', address: '' };
  return { username: ctx.username, protocol: ctx.protocol, address: ctx.address };
}
