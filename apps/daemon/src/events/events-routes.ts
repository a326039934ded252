/**
 * The event websockets, on the Fastify instance (with @fastify/websocket):
 *   GET /1.0/events?type=lifecycle,operation,logging   every event of the cluster (this member's
 *       and, through the peer subscriptions, every other member's), as LXD's full-mesh mode;
 *   GET /internal/events   this member's own events only, for other members (cluster certificate);
 *       the subscriber turns the forwarding on and off with the control messages of
 *       forwarding-control.ts.
 * A plain GET without the upgrade gets LXD's 400 "Bad Request" (text/plain). A /1.0/events listener
 * is connected only once the other members send their events here, so it misses none of the
 * events that happen after its upgrade.
 */
import type {} from '@fastify/websocket'; // the wsHandler route option
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { errorResponse } from '../envelope';
import type { TrustStore } from '../trust/trust-store';
import type { EventBus } from './event-bus';
import { forwardAck, parseForwardRequest } from './forwarding-control';
import { EVENT_TYPES, type EventType } from './lxd-event';

function parseTypes(raw: unknown): EventType[] | string {
  if (raw === undefined || raw === '') return [...EVENT_TYPES];
  const types = String(raw)
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const bad = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (bad) return `Invalid event type "${bad}": expected lifecycle, operation or logging`;
  return types as EventType[];
}

function refuse(reply: FastifyReply, code: number, message: string): void {
  void reply.status(code).header('X-Content-Type-Options', 'nosniff').type('application/json').send(errorResponse(code, message));
}

function plainBadRequest(_req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).header('Sec-Websocket-Version', '13').header('X-Content-Type-Options', 'nosniff').type('text/plain; charset=utf-8').send('Bad Request');
}

function stream(socket: WebSocket, bus: EventBus, types: EventType[], opts: { project?: string; allProjects: boolean }): void {
  const unsubscribe = bus.subscribe(types, (event) => {
    if (!opts.allProjects && opts.project && event.project !== opts.project) return;
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
  });
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
  // Clients send nothing but pings; anything else is ignored.
  socket.on('message', () => undefined);
}

/** A member's own events, to another member, while that member asks for them. */
function peerStream(socket: WebSocket, bus: EventBus): void {
  let forward = true;
  const unsubscribe = bus.subscribe(
    EVENT_TYPES,
    (event) => {
      if (forward && socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    },
    { localOnly: true },
  );
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
  socket.on('message', (data) => {
    const request = parseForwardRequest(data.toString());
    if (!request) return;
    forward = request.forward;
    if (socket.readyState === socket.OPEN) socket.send(forwardAck(forward, request.seq));
  });
}

export function registerEventRoutes(fastify: FastifyInstance, bus: EventBus, trust: TrustStore): void {
  fastify.route<{ Querystring: { type?: string; project?: string; 'all-projects'?: string } }>({
    method: 'GET',
    url: '/1.0/events',
    preValidation: (req, reply, done) => {
      const ctx = trust.identify(req.raw.socket);
      if (!ctx.trusted) return refuse(reply, 403, 'not authorized');
      const types = parseTypes(req.query.type);
      if (typeof types === 'string') return refuse(reply, 400, types);
      bus.remoteEventsFlowing().then(
        () => done(),
        () => done(),
      );
    },
    handler: plainBadRequest,
    wsHandler: (socket, req) => {
      const allProjects = req.query['all-projects'] === 'true' || req.query['all-projects'] === '1';
      stream(socket, bus, parseTypes(req.query.type) as EventType[], { project: req.query.project || 'default', allProjects });
    },
  });
  fastify.route({
    method: 'GET',
    url: '/internal/events',
    preValidation: (req, reply, done) => {
      if (trust.identify(req.raw.socket).protocol !== 'cluster') return refuse(reply, 403, 'Only cluster members subscribe to a member\'s own events');
      done();
    },
    handler: plainBadRequest,
    wsHandler: (socket) => peerStream(socket, bus),
  });
}
