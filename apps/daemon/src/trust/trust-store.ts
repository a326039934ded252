/**
 * Decides who a request comes from: the unix socket is trusted; an HTTPS client is trusted when its
 * certificate is the cluster certificate (another member) or is in the replicated trust store
 * (the `certificates` table), and untrusted otherwise.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { Injectable } from '@nestjs/common';
import { certificateFingerprint, peerFingerprint } from '@app/db';
import { Databases } from '../database/databases';
import { readClusterTls } from '../database/cluster-tls-files';
import type { RequestContext } from '../http/request-context';
import { StateDir } from '../identity/state-dir';

@Injectable()
export class TrustStore {
  private clusterFingerprint?: { stateDir: string; fingerprint: string };

  constructor(
    private readonly databases: Databases,
    private readonly stateDir: StateDir,
  ) {}

  identify(socket: Socket): RequestContext {
    if (!(socket instanceof TLSSocket)) return { trusted: true, protocol: 'unix', address: '@', username: 'root' };
    const address = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`.replace(/^::ffff:/, '');
    const fingerprint = peerFingerprint(socket.getPeerCertificate());
    if (!fingerprint) return { trusted: false, protocol: 'tls', address, username: '' };
    if (this.databases.clustered && fingerprint === this.clusterCertFingerprint()) {
      return { trusted: true, protocol: 'cluster', address, username: fingerprint, fingerprint };
    }
    return { trusted: this.isTrusted(fingerprint), protocol: 'tls', address, username: fingerprint, fingerprint };
  }

  /** Whether a certificate fingerprint is in the trust store. */
  isTrusted(fingerprint: string): boolean {
    const rows = this.databases.global.stateMachine.query('SELECT 1 FROM certificates WHERE fingerprint = ?', [fingerprint]);
    return rows.length > 0;
  }

  clusterCertFingerprint(): string {
    const cached = this.clusterFingerprint;
    if (cached && cached.stateDir === this.stateDir.path) return cached.fingerprint;
    const fingerprint = certificateFingerprint(readClusterTls(this.stateDir.path).certPem);
    this.clusterFingerprint = { stateDir: this.stateDir.path, fingerprint };
    return fingerprint;
  }

  /** Forgets the cached cluster certificate (after joining or leaving a cluster). */
  reset(): void {
    this.clusterFingerprint = undefined;
  }
}
