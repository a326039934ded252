/**
 * The gRPC service between cluster members, `cubed.Cluster`:
 *   Raft(stream RaftBatch) returns (Empty)                  one long-lived stream per sender → receiver
 *   Forward(stream ForwardRequest) returns (stream ForwardResponse)   database requests to the leader
 * Messages are protobuf (cluster-wire.ts, raft-message-codec.ts), passed to grpc-js as bytes.
 */
import * as grpc from '@grpc/grpc-js';

const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const fromBuffer = (b: Buffer): Buffer => b;

function method(path: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Uint8Array, Uint8Array> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: toBuffer,
    requestDeserialize: fromBuffer,
    responseSerialize: toBuffer,
    responseDeserialize: fromBuffer,
  };
}

export const CLUSTER_SERVICE = {
  raft: method('/cubed.Cluster/Raft', true, false),
  forward: method('/cubed.Cluster/Forward', true, true),
} satisfies grpc.ServiceDefinition;

export interface ClusterClient extends grpc.Client {
  raft(callback: grpc.requestCallback<Uint8Array>): grpc.ClientWritableStream<Uint8Array>;
  forward(): grpc.ClientDuplexStream<Uint8Array, Uint8Array>;
}

const ClusterClientCtor = grpc.makeGenericClientConstructor(CLUSTER_SERVICE, 'Cluster');

/** Largest message either side accepts (a snapshot chunk is 256 KiB; a forwarded write may be large). */
export const MAX_MESSAGE_BYTES = 64 << 20;

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 5000,
  'grpc.keepalive_timeout_ms': 3000,
  'grpc.keepalive_permit_without_calls': 1,
  // A member that joins is dialled by the leader before it serves the cluster certificate: the
  // first retry comes soon after (then 1.6x more each time, up to the maximum).
  'grpc.initial_reconnect_backoff_ms': 20,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.enable_retries': 0,
  // Even so a call keeps every message it sent, for a retry, until the server first answers or
  // 1 MiB of them is held. A Raft stream is answered only when it ends: a follower's stream to the
  // leader held 34 MB of acknowledgements after 30,000 creates (each message keeps the 8 KiB pool
  // slab it was cut from). With no room at all a call is committed at its first message.
  'grpc.per_rpc_retry_buffer_size': 0,
  'grpc.use_local_subchannel_pool': 1,
  // Members are dialled by IP and verified by certificate fingerprint, not by name.
  'grpc.ssl_target_name_override': 'cubed',
};

export const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 1000,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
};

export function newClusterClient(address: string, credentials: grpc.ChannelCredentials): ClusterClient {
  return new ClusterClientCtor(address, credentials, CHANNEL_OPTIONS) as unknown as ClusterClient;
}
