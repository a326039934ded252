/**
 * GET /1.0/operations/<id>/websocket?secret=<secret>: the websockets of `websocket` operations (exec),
 * on the Fastify instance (with @fastify/websocket). As in LXD the secret is the credential, so
 * untrusted clients may connect.
 *
 * An operation of this member takes the websocket itself (its OperationWebsockets). An operation that
 * runs on another member (an exec forwarded there) is looked for on the other members; the websocket
 * is then opened on that member over HTTPS with the cluster certificate before the client's upgrade
 * is accepted (so a refusal reaches the client as the member's error), and messages (binary and text)
 * and the close are relayed both ways. A plain GET without the upgrade gets LXD's 400 "Bad Request".
 */
import type {} from '@fastify/websocket'; // the wsHandler route option
import type * as https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import WebSocket from 'ws';
import { certificateFingerprint, peerFingerprint, splitHostPort } from '@app/db';
import { ClusterMembers } from '../cluster/cluster-members';
import type { PeerClient } from '../cluster/peer-client';
import { type Databases } from '../database/databases';
import { readClusterTls } from '../database/cluster-tls-files';
import { errorResponse } from '../envelope';
import { LxdError } from '../http/lxd-error';
import type { MemberIdentity } from '../identity/member-identity';
import type { StateDir } from '../identity/state-dir';
import type { OperationsManager } from './operations-manager';

export interface OperationWebsocketRoutesDeps {
  operations: OperationsManager;
  databases: Databases;
  members: ClusterMembers;
  identity: MemberIdentity;
  peers: PeerClient;
  stateDir: StateDir;
}

interface Params {
  id: string;
}

interface Query {
  secret?: string;
}

/** What takes the client's websocket once the upgrade is done. */
type Connection = { kind: 'local'; take: (socket: WebSocket) => void } | { kind: 'remote'; peer: PeerWebsocket };

/** A websocket open on another member, with what it received until it is relayed. */
interface PeerWebsocket {
  socket: WebSocket;
  backlog: Backlog;
  /** Stops collecting the backlog (the relay takes over the messages). */
  release(): void;
}

/** How long opening the websocket on another member may take. */
const PEER_HANDSHAKE_TIMEOUT_MS = 5000;

function refuse(reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.status(code).header('X-Content-Type-Options', 'nosniff').type('application/json').send(errorResponse(code, message));
}

function plainBadRequest(_req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).header('Sec-Websocket-Version', '13').header('X-Content-Type-Options', 'nosniff').type('text/plain; charset=utf-8').send('Bad Request');
}

/** Whether a close code may be sent in a close frame (RFC 6455 section 7.4). */
function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

function closeWith(socket: WebSocket, code: number, reason: Buffer): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  if (sendableCloseCode(code)) socket.close(code, reason.subarray(0, 123));
  else socket.close();
}

/** Messages a websocket received before it was relayed, in order. */
type Backlog = { data: Buffer; isBinary: boolean }[];

/**
 * Relays messages and closes between two open websockets; `backlog` holds what `b` received before.
 * Each direction has one message in flight at a time: the sender is paused until the receiver's side
 * has taken the message.
 */
export function relayWebsockets(a: WebSocket, b: WebSocket, backlog: Backlog = []): void {
  const forward = (from: WebSocket, to: WebSocket): void => {
    from.on('message', (data: Buffer, isBinary: boolean) => {
      if (to.readyState !== WebSocket.OPEN) return;
      from.pause();
      to.send(data, { binary: isBinary }, () => from.resume());
    });
    from.on('close', (code: number, reason: Buffer) => closeWith(to, code, reason));
    from.on('error', () => to.terminate());
  };
  for (const message of backlog) a.send(message.data, { binary: message.isBinary });
  forward(a, b);
  forward(b, a);
}

/** `host:port` as a URL authority (IPv6 hosts in brackets; a wildcard listen address means this host). */
function urlAuthority(address: string): string {
  const { host, port } = splitHostPort(address);
  const reachable = host === '' || host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return `${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** The error of a refused upgrade, from the member's answer (LXD's error envelope when there is one). */
function refusalFrom(address: string, status: number, body: Buffer): LxdError {
  try {
    const envelope = JSON.parse(body.toString('utf8')) as { error?: string; error_code?: number };
    if (envelope.error) return new LxdError(envelope.error_code || status, envelope.error);
  } catch {
    // not an envelope
  }
  return new LxdError(status >= 400 ? status : 502, `the cluster member at ${address} refused the websocket (HTTP ${status})`);
}

/** Opens the operation's websocket on another member, presenting and expecting the cluster certificate. */
function openPeerWebsocket(deps: OperationWebsocketRoutesDeps, address: string, path: string): Promise<PeerWebsocket> {
  const tls = readClusterTls(deps.stateDir.path);
  const expected = certificateFingerprint(tls.certPem);
  return new Promise<PeerWebsocket>((resolve, reject) => {
    const options: https.RequestOptions & { handshakeTimeout: number } = {
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.certPem,
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        peerFingerprint(cert) === expected ? undefined : new Error(`the member at ${address} did not present the cluster certificate`),
      handshakeTimeout: PEER_HANDSHAKE_TIMEOUT_MS,
    };
    const socket = new WebSocket(`wss://${urlAuthority(address)}${path}`, options as WebSocket.ClientOptions);
    socket.once('open', () => {
      const backlog: Backlog = [];
      const collect = (data: Buffer, isBinary: boolean): void => {
        backlog.push({ data, isBinary });
      };
      socket.on('message', collect);
      resolve({ socket, backlog, release: () => socket.off('message', collect) });
    });
    socket.once('unexpected-response', (request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        reject(refusalFrom(address, response.statusCode ?? 0, Buffer.concat(chunks)));
        request.destroy();
      });
      response.on('error', () => {
        reject(refusalFrom(address, response.statusCode ?? 0, Buffer.concat(chunks)));
        request.destroy();
      });
    });
    socket.once('error', (err: Error) => reject(new LxdError(503, `cannot reach the cluster member at ${address}: ${err.message}`)));
  });
}

/** The address of the member running operation `id`, or undefined when no other member does. */
async function locateOperation(deps: OperationWebsocketRoutesDeps, id: string): Promise<string | undefined> {
  if (!deps.databases.clustered) return undefined;
  const [records, threshold] = await Promise.all([deps.members.records(), deps.members.offlineThresholdMs()]);
  const addresses = records.filter((r) => r.address !== deps.identity.address && ClusterMembers.isOnline(r, threshold)).map((r) => r.address);
  const found = await Promise.all(
    addresses.map((address) =>
      deps.peers
        .lxd(address, 'GET', `/internal/operations/${encodeURIComponent(id)}`, undefined, { timeoutMs: 2000 })
        .then(() => address)
        .catch(() => undefined),
    ),
  );
  return found.find((address) => address !== undefined);
}

/** Decides on an upgrade request: what takes the websocket, or the error to answer. */
async function connection(deps: OperationWebsocketRoutesDeps, id: string, secret: string | undefined): Promise<Connection> {
  const op = deps.operations.get(id);
  if (!op) {
    if (!secret) throw new LxdError(400, 'missing secret');
    const address = await locateOperation(deps, id);
    if (!address) throw new LxdError(404, 'Operation not found');
    const path = `/1.0/operations/${encodeURIComponent(id)}/websocket?secret=${encodeURIComponent(secret)}`;
    return { kind: 'remote', peer: await openPeerWebsocket(deps, address, path) };
  }
  if (!secret) throw new LxdError(400, 'missing secret');
  if (op.spec.class !== 'websocket' || !op.spec.websockets) throw new LxdError(400, 'Only websocket operations can be connected');
  if (op.status !== 'Running') throw new LxdError(400, 'Only running operations can be connected');
  return { kind: 'local', take: op.spec.websockets.accept(secret) };
}

export function registerOperationWebsocketRoutes(fastify: FastifyInstance, deps: OperationWebsocketRoutesDeps): void {
  const connections = new WeakMap<object, Connection>();
  fastify.route<{ Params: Params; Querystring: Query }>({
    method: 'GET',
    url: '/1.0/operations/:id/websocket',
    preValidation: async (req, reply) => {
      if (!req.ws) return; // a plain GET: answered by `handler`
      try {
        const found = await connection(deps, req.params.id, req.query.secret);
        connections.set(req.raw, found);
        if (found.kind === 'remote') {
          // A client that goes away before its upgrade is done leaves no websocket open on the member.
          req.raw.socket.once('close', () => {
            if (connections.get(req.raw) !== found) return;
            connections.delete(req.raw);
            found.peer.socket.terminate();
          });
        }
      } catch (err) {
        if (err instanceof LxdError) return refuse(reply, err.statusCode, err.message);
        return refuse(reply, 500, (err as Error).message);
      }
    },
    handler: plainBadRequest,
    wsHandler: (socket, req) => {
      const found = connections.get(req.raw);
      connections.delete(req.raw);
      if (!found) {
        socket.close(1011, 'the websocket was not accepted');
        return;
      }
      if (found.kind === 'local') {
        found.take(socket);
        return;
      }
      const peer = found.peer;
      peer.release();
      if (peer.socket.readyState !== WebSocket.OPEN) {
        for (const message of peer.backlog) socket.send(message.data, { binary: message.isBinary });
        socket.close(1000);
        return;
      }
      relayWebsockets(socket, peer.socket, peer.backlog);
    },
  });
}
