import { createHash, X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectionError } from './cubed-error';
import { reasonOf } from './http-transport';

/** A server's TLS certificate. */
export interface ServerCertificate {
  der: Buffer;
  /** PEM, as lxc writes it to servercerts/<remote>.crt. */
  pem: string;
  /** SHA-256 of the DER, lower-case hex (LXD's certificate fingerprint). */
  fingerprint: string;
}

/** The SHA-256 fingerprint of a DER certificate, as LXD shows it. */
export function certificateFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** DER as a PEM block (64-character lines), like Go's pem.Encode. */
export function certificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The DER of the first certificate in a PEM text; throws on anything else. */
export function certificateDer(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

/**
 * Connects to `address` (https://host[:port]) without verifying the server and returns the certificate it
 * presents, so that the user (or a token's fingerprint) can decide whether to trust it.
 */
export function fetchServerCertificate(address: string, timeoutMs = 5000): Promise<ServerCertificate> {
  const url = new URL(address);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : 8443;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ...(net.isIP(host) ? {} : { servername: host }),
    });
    const timer = setTimeout(() => {
      socket.destroy(
        new ConnectionError(
          `cannot connect to the Cubed daemon at ${address}: no TLS handshake within ${timeoutMs} ms`,
          'ETIMEDOUT',
        ),
      );
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate();
      socket.end();
      if (!peer || !peer.raw) {
        reject(new ConnectionError(`Unable to read remote TLS certificate from ${address}`));
        return;
      }
      const der = Buffer.from(peer.raw);
      resolve({ der, pem: certificatePem(der), fingerprint: certificateFingerprint(der) });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof ConnectionError) return reject(err);
      reject(new ConnectionError(`cannot connect to the Cubed daemon at ${address}: ${reasonOf(err)}`, err.code));
    });
  });
}
