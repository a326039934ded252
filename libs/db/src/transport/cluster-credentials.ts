/**
 * gRPC client credentials for dialling another member: present the cluster certificate, and accept
 * the other end only if it presents the cluster certificate too (a pinned fingerprint, not a host
 * name: members are addressed by IP).
 */
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { certificateFingerprint, type ClusterTls, peerFingerprint } from './cluster-tls';

export function clusterChannelCredentials(tls: ClusterTls): grpc.ChannelCredentials {
  const expected = certificateFingerprint(tls.certPem);
  return grpc.credentials.createSsl(Buffer.from(tls.certPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem), {
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      peerFingerprint(cert) === expected ? undefined : new Error('the member did not present the cluster certificate'),
  });
}
