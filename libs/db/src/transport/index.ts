export { encodeRaftMessage, decodeRaftMessage, RaftMessageDecodeError, RaftMessageEncodeError } from './raft-message-codec';
export { certificateFingerprint, peerFingerprint, isClusterPeer } from './cluster-tls';
export type { ClusterTls } from './cluster-tls';
export { generateSelfSigned } from './self-signed';
export type { SelfSignedOptions } from './self-signed';
export { ClusterListener, splitHostPort, grpcConnectionHandler } from './cluster-listener';
export type { ClusterListenerOptions } from './cluster-listener';
export { GrpcRaftTransport } from './grpc-raft-transport';
export { GrpcLeaderLink } from './grpc-leader-link';
