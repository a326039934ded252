/**
 * The cluster certificate: every member holds the same certificate and key (as LXD's cluster.crt),
 * presents it on the cluster port, and accepts a peer only when the peer presents exactly it. The
 * fingerprint is the SHA-256 of the certificate's DER encoding, in lower-case hex.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface ClusterTls {
  certPem: string;
  keyPem: string;
}

/** Fingerprints of the certificates seen lately: parsing one costs about 0.2 ms, and the same few come back on every request. */
const fingerprints = new Map<string, string>();
const FINGERPRINTS_KEPT = 64;

/** SHA-256 fingerprint (lower-case hex) of a PEM certificate. */
export function certificateFingerprint(certPem: string): string {
  let fp = fingerprints.get(certPem);
  if (fp === undefined) {
    fp = new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
    if (fingerprints.size >= FINGERPRINTS_KEPT) fingerprints.delete(fingerprints.keys().next().value as string);
    fingerprints.set(certPem, fp);
  }
  return fp;
}

/** SHA-256 fingerprint of a certificate as Node's TLS layer reports a peer's. */
export function peerFingerprint(cert: PeerCertificate | undefined | null): string | undefined {
  if (!cert || !cert.raw || cert.raw.length === 0) return undefined;
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** Whether the other end of a TLS connection presented the cluster certificate. */
export function isClusterPeer(socket: TLSSocket, clusterFingerprint: string): boolean {
  return peerFingerprint(socket.getPeerCertificate()) === clusterFingerprint;
}
