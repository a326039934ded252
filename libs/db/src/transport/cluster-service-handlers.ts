/**
 * The serving side of the cluster service: Raft frames go to the transport (and on to the driver),
 * forwarded database requests to the GlobalDatabase, each answered on the same stream as it
 * completes (answers may overtake each other; ids match them up).
 */
import * as grpc from '@grpc/grpc-js';
import type { GlobalDatabase } from '../replication/global-database';
import type { ReadConsistency } from '../replication/leader-link';
import { CLUSTER_SERVICE } from './cluster-service';
import { decodeForwardRequest, EmptyProto, encodeForwardResponse, type WireForwardRequest, type WireForwardResponse } from './cluster-wire';
import { decodeValues, encodeError, encodeExecResult, encodeRows } from './forward-codec';
import type { GrpcRaftTransport } from './grpc-raft-transport';

const EMPTY = EmptyProto.encode({}).finish();

export function clusterServiceHandlers(transport: GrpcRaftTransport, db: () => GlobalDatabase | undefined): grpc.UntypedServiceImplementation {
  const raft = (call: grpc.ServerReadableStream<Uint8Array, Uint8Array>, callback: grpc.sendUnaryData<Uint8Array>): void => {
    const peer = call.getPeer();
    call.on('data', (frame: Uint8Array) => transport.deliver(frame, peer));
    call.on('end', () => callback(null, EMPTY));
    call.on('error', () => {
      // The sender went away; it opens a new stream when it sends again.
    });
  };

  const forward = (call: grpc.ServerDuplexStream<Uint8Array, Uint8Array>): void => {
    let open = true;
    const answer = (res: WireForwardResponse): void => {
      if (open) call.write(encodeForwardResponse(res));
    };
    call.on('data', (buf: Uint8Array) => {
      let req: WireForwardRequest;
      try {
        req = decodeForwardRequest(buf);
      } catch (err) {
        answer({ id: 0, error: { code: 'refused', message: `undecodable forwarded request: ${(err as Error).message}` } });
        return;
      }
      const id = req.id ?? 0;
      serve(req, db()).then(
        (res) => answer({ ...res, id }),
        (err: unknown) => answer({ id, error: encodeError(err) }),
      );
    });
    const finish = (): void => {
      if (!open) return;
      open = false;
      call.end();
    };
    call.on('end', finish);
    call.on('error', () => {
      open = false;
    });
  };

  return { raft, forward };
}

async function serve(req: WireForwardRequest, db: GlobalDatabase | undefined): Promise<Omit<WireForwardResponse, 'id'>> {
  if (!db) throw new Error('the cluster database is not running on this member');
  const timeoutMs = req.timeoutMs || 4000;
  if (req.exec) {
    const r = await db.execForwarded(req.exec, timeoutMs);
    return encodeExecResult(0, r);
  }
  if (req.query) {
    const consistency: ReadConsistency = req.query.linearizable ? 'linearizable' : 'local';
    const rows = await db.queryForwarded(req.query.sql, decodeValues(req.query.params), consistency, timeoutMs);
    return { rows: encodeRows(rows) };
  }
  throw new Error('a forwarded request must be a write or a query');
}

/** A gRPC server carrying the cluster service (connections come from a ClusterListener). */
export function newClusterGrpcServer(handlers: grpc.UntypedServiceImplementation, options: grpc.ServerOptions): grpc.Server {
  const server = new grpc.Server(options);
  server.addService(CLUSTER_SERVICE, handlers);
  return server;
}
