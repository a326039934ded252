import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { type RequestContext, requestContextOf } from './request-context';

export const ALLOW_UNTRUSTED = 'cubed.allowUntrusted';

/** The route answers clients that are not trusted (yet): GET /, GET /1.0, adding a certificate. */
export const AllowUntrusted = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOW_UNTRUSTED, true);

/** The RequestContext of the current request (set by TrustGuard). */
export const Ctx = createParamDecorator((_data: unknown, host: ExecutionContext): RequestContext => {
  const ctx = requestContextOf(host.switchToHttp().getRequest<FastifyRequest>());
  if (!ctx) throw new Error('request context missing: TrustGuard did not run');
  return ctx;
});
