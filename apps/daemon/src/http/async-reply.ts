import type { FastifyReply } from 'fastify';
import { type AsyncResponse, asyncResponse } from '../envelope';
import type { Operation, OperationJson } from '../operations/operation';

/** Answers a request that started `op`: 202, Location, and the async envelope. */
export function replyAsync(reply: FastifyReply, op: Operation): AsyncResponse<OperationJson> {
  reply.status(202).header('Location', op.url);
  return asyncResponse(op.url, op.toJSON());
}
