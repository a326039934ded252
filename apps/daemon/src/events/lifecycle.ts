/** Lifecycle events (LXD's `lifecycle` type): an action on an entity, by a requestor. */
import { type RequestContext, requestorOf } from '../http/request-context';
import type { EventBus } from './event-bus';

export function emitLifecycle(
  bus: EventBus,
  action: string,
  source: string,
  ctx: RequestContext | undefined,
  context?: Record<string, unknown>,
  project = 'default',
): void {
  bus.publish('lifecycle', { action, source, ...(context ? { context } : {}), requestor: requestorOf(ctx) }, project);
}
