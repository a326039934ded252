/**
 * Image traffic between cluster members, over HTTPS with the cluster certificate (presented, and
 * the only certificate a member accepts from the other side):
 *
 * - the image file of another member, streamed (GET /internal/images/<fp>/file);
 * - asking another member to fetch an image (POST /internal/images/<fp>/fetch) or to delete its
 *   copy (DELETE /internal/images/<fp>).
 */
import type { IncomingMessage } from 'node:http';
import * as https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { Injectable } from '@nestjs/common';
import { certificateFingerprint, peerFingerprint, splitHostPort } from '@app/db';
import { PeerClient } from '../../cluster/peer-client';
import { readClusterTls } from '../../database/cluster-tls-files';
import { LxdError } from '../../http/lxd-error';
import { StateDir } from '../../identity/state-dir';

export interface PeerImageStream {
  stream: IncomingMessage;
  /** The file's size, when the member said it. */
  size?: number;
  /** The member's Content-Disposition for the file (its name for export). */
  disposition?: string;
}

/** A fetch copies a whole image: allow it that long between two bytes. */
const TRANSFER_IDLE_TIMEOUT_MS = 120_000;
const FETCH_TIMEOUT_MS = 3_600_000;

export function imageFilePath(fingerprint: string): string {
  return `/internal/images/${encodeURIComponent(fingerprint)}/file`;
}

@Injectable()
export class PeerImageTransport {
  constructor(
    private readonly stateDir: StateDir,
    private readonly peers: PeerClient,
  ) {}

  /** The image file of the member at `address`, as a stream (an LxdError when it cannot serve it). */
  open(address: string, fingerprint: string): Promise<PeerImageStream> {
    const { host, port } = splitHostPort(address);
    const tls = readClusterTls(this.stateDir.path);
    const expected = certificateFingerprint(tls.certPem);
    return new Promise<PeerImageStream>((resolve, reject) => {
      const req = https.request(
        {
          host: host === '::' || host === '' ? '127.0.0.1' : host,
          port,
          method: 'GET',
          path: imageFilePath(fingerprint),
          agent: false,
          cert: tls.certPem,
          key: tls.keyPem,
          ca: tls.certPem,
          rejectUnauthorized: true,
          checkServerIdentity: (_host: string, cert: PeerCertificate) =>
            peerFingerprint(cert) === expected ? undefined : new Error(`the member at ${address} did not present the cluster certificate`),
          timeout: TRANSFER_IDLE_TIMEOUT_MS,
        },
        (res) => {
          if (res.statusCode === 200) {
            const length = Number(res.headers['content-length']);
            const disposition = res.headers['content-disposition'];
            resolve({
              stream: res,
              ...(Number.isSafeInteger(length) && length >= 0 ? { size: length } : {}),
              ...(typeof disposition === 'string' ? { disposition } : {}),
            });
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => reject(errorOf(address, res.statusCode ?? 0, Buffer.concat(chunks))));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no data from ${address} for ${TRANSFER_IDLE_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err) => reject(new LxdError(503, `cannot reach the cluster member at ${address}: ${err.message}`)));
      req.end();
    });
  }

  /** Has the member at `address` fetch the image and keep a copy. */
  async askToFetch(address: string, fingerprint: string): Promise<void> {
    await this.peers.lxd(address, 'POST', `/internal/images/${encodeURIComponent(fingerprint)}/fetch`, {}, { timeoutMs: FETCH_TIMEOUT_MS });
  }

  /** Has the member at `address` delete its copy of the image. */
  async askToDelete(address: string, fingerprint: string): Promise<void> {
    await this.peers.lxd(address, 'DELETE', `/internal/images/${encodeURIComponent(fingerprint)}`, undefined, { timeoutMs: 60_000 });
  }
}

function errorOf(address: string, status: number, body: Buffer): LxdError {
  try {
    const envelope = JSON.parse(body.toString('utf8')) as { error?: string; error_code?: number };
    if (envelope.error) return new LxdError(envelope.error_code || status, envelope.error);
  } catch {
    // not an envelope
  }
  return new LxdError(502, `the cluster member at ${address} answered HTTP ${status}`);
}
