/**
 * HTTPS requests from this member to another member's REST API: presenting the cluster
 * certificate (which the other member trusts as a cluster peer) and accepting only a server that
 * presents it too. Keep-alive connections per member; `proxy` streams a whole request through.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { Injectable } from '@nestjs/common';
import { certificateFingerprint, type ClusterTls, peerFingerprint, splitHostPort } from '@app/db';
import { readClusterTls } from '../database/cluster-tls-files';
import { LxdError } from '../http/lxd-error';
import { StateDir } from '../identity/state-dir';

export interface PeerReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface PeerRequestOptions {
  timeoutMs?: number;
  headers?: http.OutgoingHttpHeaders;
  /** The certificate to present and to expect (default: the cluster certificate). */
  tls?: ClusterTls;
  /** Fingerprint the server must present (default: the presented certificate's). */
  serverFingerprint?: string;
}

@Injectable()
export class PeerClient {
  private agents = new Map<string, https.Agent>();

  constructor(private readonly stateDir: StateDir) {}

  /** Forgets connections (after the cluster certificate changed). */
  reset(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  async request(address: string, method: string, path: string, body?: unknown, opts: PeerRequestOptions = {}): Promise<PeerReply> {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const { host, port } = splitHostPort(address);
    const tls = opts.tls ?? readClusterTls(this.stateDir.path);
    const expected = opts.serverFingerprint ?? certificateFingerprint(tls.certPem);
    return new Promise<PeerReply>((resolve, reject) => {
      const req = https.request(
        {
          host: host === '::' || host === '' ? '127.0.0.1' : host,
          port,
          method,
          path,
          // With another certificate (a member joining: only the cluster's fingerprint is known),
          // a fresh connection checked on secureConnect below; else the pinned keep-alive agent.
          agent: opts.tls ? false : this.agent(address, tls, expected),
          ...(opts.tls ? { cert: tls.certPem, key: tls.keyPem, rejectUnauthorized: false } : {}),
          timeout: opts.timeoutMs ?? 10_000,
          headers: {
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      if (opts.tls) req.on('socket', (socket) => {
        socket.once('secureConnect', () => {
          const fp = peerFingerprint((socket as import('node:tls').TLSSocket).getPeerCertificate() as PeerCertificate);
          if (fp !== expected) req.destroy(new Error(`the member at ${address} did not present the expected certificate`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${address} within ${opts.timeoutMs ?? 10_000} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** request() of an LXD endpoint: the envelope's metadata, or an LxdError with the member's error. */
  async lxd<T = unknown>(address: string, method: string, path: string, body?: unknown, opts: PeerRequestOptions = {}): Promise<T> {
    let reply: PeerReply;
    try {
      reply = await this.request(address, method, path, body, opts);
    } catch (err) {
      throw new LxdError(503, `cannot reach the cluster member at ${address}: ${(err as Error).message}`);
    }
    let envelope: { type?: string; error?: string; error_code?: number; metadata?: unknown };
    try {
      envelope = JSON.parse(reply.body.toString('utf8')) as typeof envelope;
    } catch {
      throw new LxdError(502, `the cluster member at ${address} answered HTTP ${reply.status} without JSON`);
    }
    if (envelope.type === 'error' || reply.status >= 400) throw new LxdError(envelope.error_code || reply.status, envelope.error || `HTTP ${reply.status}`);
    return envelope.metadata as T;
  }

  /** Streams `req` to the member and its answer back into `res` (forwarding with ?target=). */
  proxy(address: string, req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    const { host, port } = splitHostPort(address);
    const tls = readClusterTls(this.stateDir.path);
    const expected = certificateFingerprint(tls.certPem);
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    const out = https.request(
      { host: host === '::' || host === '' ? '127.0.0.1' : host, port, method: req.method, path, headers, agent: this.agent(address, tls, expected), timeout: 600_000 },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = JSON.stringify({ type: 'error', status: '', status_code: 0, operation: '', error_code: 503, error: `cannot reach the cluster member at ${address}: ${err.message}`, metadata: null });
      res.writeHead(503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
    });
    req.pipe(out);
  }

  private agent(address: string, tls: ClusterTls, expected: string): https.Agent {
    const key = `${address}|${expected}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new https.Agent({
        keepAlive: true,
        maxSockets: 32,
        cert: tls.certPem,
        key: tls.keyPem,
        // The cluster certificate is the only trust anchor, and the name check is a fingerprint check.
        ca: tls.certPem,
        rejectUnauthorized: true,
        checkServerIdentity: (_host: string, cert: PeerCertificate) =>
          peerFingerprint(cert) === expected ? undefined : new Error(`the member at ${address} did not present the cluster certificate`),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }
}
