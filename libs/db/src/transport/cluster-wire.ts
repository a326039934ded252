/**
 * Protobuf messages of the cluster service (besides the Raft messages of raft-message-codec.ts):
 * batches of Raft messages on a member-to-member stream, and forwarded database requests and their
 * answers. Defined with protobufjs's reflection API (no .proto at run time). SQL values (query
 * parameters, result rows, rowids) travel as `bytes` in Cubed's tagged value format
 * (binary-codec.ts), which keeps integers beyond 2^53, blobs and floats exact.
 */
import * as protobuf from 'protobufjs';

const SCHEMA: protobuf.INamespace = {
  nested: {
    cluster: {
      nested: {
        RaftBatch: {
          fields: {
            from: { type: 'uint64', id: 1 },
            messages: { rule: 'repeated', type: 'bytes', id: 2 },
            // The sender is stopping: do not count on it (reachability, leadership hand-over).
            leaving: { type: 'bool', id: 3 },
          },
        },
        Query: {
          fields: {
            sql: { type: 'string', id: 1 },
            params: { type: 'bytes', id: 2 },
            linearizable: { type: 'bool', id: 3 },
          },
        },
        ForwardRequest: {
          oneofs: { request: { oneof: ['exec', 'query'] } },
          fields: {
            id: { type: 'uint64', id: 1 },
            timeoutMs: { type: 'uint32', id: 2 },
            exec: { type: 'bytes', id: 3 },
            query: { type: 'Query', id: 4 },
          },
        },
        Rows: {
          fields: {
            columns: { rule: 'repeated', type: 'string', id: 1 },
            cells: { type: 'bytes', id: 2 },
          },
        },
        StatementResult: {
          fields: {
            changes: { type: 'uint64', id: 1 },
            rows: { type: 'Rows', id: 2 },
          },
        },
        ExecResult: {
          fields: {
            index: { type: 'uint64', id: 1 },
            changes: { type: 'uint64', id: 2 },
            lastInsertRowid: { type: 'bytes', id: 3 },
            statements: { rule: 'repeated', type: 'StatementResult', id: 4 },
          },
        },
        Member: {
          fields: {
            id: { type: 'uint64', id: 1 },
            address: { type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
          },
        },
        ForwardError: {
          fields: {
            code: { type: 'string', id: 1 },
            message: { type: 'string', id: 2 },
            leader: { type: 'Member', id: 3 },
            unreachable: { rule: 'repeated', type: 'Member', id: 4 },
            outcomeUnknown: { type: 'bool', id: 5 },
            sqlCode: { type: 'string', id: 6 },
            statement: { type: 'int32', id: 7 },
            index: { type: 'uint64', id: 8 },
            detail: { type: 'string', id: 9 },
          },
        },
        ForwardResponse: {
          oneofs: { response: { oneof: ['exec', 'rows', 'error'] } },
          fields: {
            id: { type: 'uint64', id: 1 },
            exec: { type: 'ExecResult', id: 2 },
            rows: { type: 'Rows', id: 3 },
            error: { type: 'ForwardError', id: 4 },
          },
        },
        Empty: { fields: {} },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA);
export const RaftBatchProto = root.lookupType('cluster.RaftBatch');
export const ForwardRequestProto = root.lookupType('cluster.ForwardRequest');
export const ForwardResponseProto = root.lookupType('cluster.ForwardResponse');
export const EmptyProto = root.lookupType('cluster.Empty');

export interface WireMember {
  id: number;
  address: string;
  name: string;
}

export interface WireRows {
  columns: string[];
  cells: Uint8Array;
}

export interface WireForwardRequest {
  id: number;
  timeoutMs: number;
  exec?: Uint8Array;
  query?: { sql: string; params: Uint8Array; linearizable: boolean };
}

export interface WireForwardError {
  code: string;
  message: string;
  leader?: WireMember;
  unreachable?: WireMember[];
  outcomeUnknown?: boolean;
  sqlCode?: string;
  statement?: number;
  index?: number;
  detail?: string;
}

export interface WireForwardResponse {
  id: number;
  exec?: { index: number; changes: number; lastInsertRowid: Uint8Array; statements: { changes: number; rows?: WireRows }[] };
  rows?: WireRows;
  error?: WireForwardError;
}

const LONGS: protobuf.IConversionOptions = { longs: Number, defaults: false, arrays: true };

export function encodeForwardRequest(r: WireForwardRequest): Uint8Array {
  return ForwardRequestProto.encode(ForwardRequestProto.fromObject(r)).finish();
}

export function decodeForwardRequest(buf: Uint8Array): WireForwardRequest {
  return ForwardRequestProto.toObject(ForwardRequestProto.decode(buf), LONGS) as WireForwardRequest;
}

export function encodeForwardResponse(r: WireForwardResponse): Uint8Array {
  return ForwardResponseProto.encode(ForwardResponseProto.fromObject(r)).finish();
}

export function decodeForwardResponse(buf: Uint8Array): WireForwardResponse {
  return ForwardResponseProto.toObject(ForwardResponseProto.decode(buf), LONGS) as WireForwardResponse;
}

export function encodeRaftBatch(from: number, messages: Uint8Array[], leaving = false): Uint8Array {
  return RaftBatchProto.encode(leaving ? { from, messages, leaving } : { from, messages }).finish();
}

export function decodeRaftBatch(buf: Uint8Array): { from: number; messages: Uint8Array[]; leaving: boolean } {
  const o = RaftBatchProto.toObject(RaftBatchProto.decode(buf), LONGS) as { from?: number; messages?: Uint8Array[]; leaving?: boolean };
  return { from: o.from ?? 0, messages: o.messages ?? [], leaving: o.leaving === true };
}
