/**
 * Self-signed certificates as LXD makes them for its server and cluster identities: ECDSA P-384
 * with SHA-384, valid for ten years, usable for both TLS server and client authentication (the
 * cluster certificate is presented in both directions).
 *
 * Built with node:crypto and a small DER encoder (an X.509 v3 certificate has few parts): a
 * certificate library takes ~90 ms to load, which a member's first start would pay.
 */
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import type { ClusterTls } from './cluster-tls';

export interface SelfSignedOptions {
  commonName: string;
  organization?: string;
  /** DNS names and IP addresses for the subjectAltName extension. */
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays?: number;
  /** Subject O=… before CN=… (as lxc's client certificates have it); default CN first. */
  organizationFirst?: boolean;
  /** Extended key usages; default both (the cluster certificate is presented in both directions). */
  extendedKeyUsage?: ('serverAuth' | 'clientAuth')[];
}

export async function generateSelfSigned(opts: SelfSignedOptions): Promise<ClusterTls> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (opts.validDays ?? 3650) * 86_400_000);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const cn = rdn(OID.commonName, opts.commonName);
  const o = rdn(OID.organizationName, opts.organization ?? 'Cubed');
  const name = opts.organizationFirst ? seq(o, cn) : seq(cn, o);
  const altNames = [
    ...(opts.dnsNames ?? []).map((dns) => tlv(0x82, Buffer.from(dns, 'ascii'))),
    ...(opts.ipAddresses ?? []).map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const extensions = [
    extension(OID.basicConstraints, seq()), // cA: false
    extension(OID.keyUsage, tlv(0x03, Buffer.from([0x05, 0xa0]))), // digitalSignature, keyEncipherment
    extension(OID.extKeyUsage, seq(...(opts.extendedKeyUsage ?? ['serverAuth', 'clientAuth']).map((usage) => oid(OID[usage])))),
    ...(altNames.length ? [extension(OID.subjectAltName, seq(...altNames))] : []),
  ];
  const signatureAlgorithm = seq(oid(OID.ecdsaWithSha384));
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // version: v3
    integer(serialNumber()),
    signatureAlgorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...extensions)),
  );
  const signature = crypto.sign('sha384', tbs, privateKey);
  const cert = seq(tbs, signatureAlgorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return { certPem: pem('CERTIFICATE', cert), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
};

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** A non-negative INTEGER from big-endian bytes. */
function integer(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1] < 0x80) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, b[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** One RelativeDistinguishedName: SET { SEQUENCE { type, UTF8String value } }. */
function rdn(type: string, value: string): Buffer {
  return tlv(0x31, seq(oid(type), tlv(0x0c, Buffer.from(value, 'utf8'))));
}

function extension(type: string, value: Buffer): Buffer {
  return seq(oid(type), tlv(0x04, value));
}

/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** 16 random bytes, positive and not zero (RFC 5280 4.1.2.2). */
function serialNumber(): Buffer {
  const b = crypto.randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01;
  return b;
}

function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!net.isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const words = (part: string): number[] =>
    part
      .split(':')
      .filter((w) => w !== '')
      .flatMap((w) => (w.includes('.') ? [...Buffer.from(w.split('.').map(Number))].reduce<number[]>((acc, b, i) => (i % 2 ? [...acc.slice(0, -1), acc[acc.length - 1] * 256 + b] : [...acc, b]), []) : [parseInt(w, 16)]));
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
