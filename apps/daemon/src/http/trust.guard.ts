import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { TrustStore } from '../trust/trust-store';
import { forbidden } from './lxd-error';
import { ALLOW_UNTRUSTED } from './request-decorators';
import { requestContextOf, setRequestContext } from './request-context';

/** Works out who sent each request (TrustStore) and refuses untrusted clients except on open routes. */
@Injectable()
export class TrustGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly trust: TrustStore,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    let ctx = requestContextOf(request);
    if (!ctx) {
      ctx = this.trust.identify(request.raw.socket);
      setRequestContext(request, ctx);
    }
    if (ctx.trusted) return true;
    if (this.reflector.getAllAndOverride<boolean>(ALLOW_UNTRUSTED, [context.getHandler(), context.getClass()])) return true;
    throw forbidden('not authorized');
  }
}
