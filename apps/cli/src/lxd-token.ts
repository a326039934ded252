import { jsonDocument } from './render';
import { GO_ZERO_TIME, normalizeRfc3339, parseRfc3339, type ZonedTime } from './go-time';
import { isObject } from './go-shapes';
import type { OperationInfo } from './lxd-types';

/**
 * The tokens of LXD 5.0.2: the JSON of the token struct, base64-encoded (standard alphabet, padded). A cluster
 * join token comes from the metadata of a `token` operation made by POST /1.0/cluster/members, a certificate add
 * token from one made by POST /1.0/certificates with `token: true`.
 */

/** api.ClusterMemberJoinToken */
export interface ClusterJoinToken {
  server_name: string;
  fingerprint: string;
  addresses: string[];
  secret: string;
  expires_at: string;
}

/** api.CertificateAddToken */
export interface CertificateAddToken {
  client_name: string;
  fingerprint: string;
  addresses: string[];
  secret: string;
  expires_at: string;
}

/** A malformed token, or an operation that does not describe one. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/** The token as lxc prints it: Go's JSON of the struct (fields in order, HTML characters escaped), in base64. */
export function encodeToken(token: ClusterJoinToken | CertificateAddToken): string {
  return Buffer.from(jsonDocument(token).slice(0, -1), 'utf8').toString('base64');
}

/** The join token described by a cluster member token operation (api.Operation.ToClusterJoinToken). */
export function clusterJoinToken(op: OperationInfo): ClusterJoinToken {
  const metadata = isObject(op.metadata) ? op.metadata : {};
  const serverName = expect(metadata, 'serverName', 'string');
  const secret = expect(metadata, 'secret', 'string');
  const fingerprint = expect(metadata, 'fingerprint', 'string');
  const addresses = addressList(metadata);
  const expiresAt = timestamp(expect(metadata, 'expiresAt', 'string'));
  return { server_name: serverName, fingerprint, addresses, secret, expires_at: expiresAt };
}

/** The add token described by a certificate token operation (api.Operation.ToCertificateAddToken). */
export function certificateAddToken(op: OperationInfo): CertificateAddToken {
  const metadata = isObject(op.metadata) ? op.metadata : {};
  const request = metadata.request;
  if (!isObject(request)) throw new TokenError(`Operation request is type ${goTypeOf(request)} not map[string]any`);
  if (typeof request.name !== 'string') throw new TokenError('Failed to get client name');
  const secret = expect(metadata, 'secret', 'string');
  const fingerprint = expect(metadata, 'fingerprint', 'string');
  const addresses = addressList(metadata);
  const expiresAt = typeof metadata.expiresAt === 'string' ? timestamp(metadata.expiresAt) : GO_ZERO_TIME;
  return { client_name: request.name, fingerprint, addresses, secret, expires_at: expiresAt };
}

/**
 * Decodes a certificate add token (shared.CertificateTokenDecode); anything else (an address, a URL) throws
 * TokenError.
 */
export function decodeCertificateAddToken(text: string): CertificateAddToken {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new TokenError('illegal base64 data');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch (err) {
    throw new TokenError((err as Error).message);
  }
  if (!isObject(raw)) throw new TokenError('the token is not a JSON object');
  const field = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string) : '');
  const addresses = Array.isArray(raw.addresses) ? raw.addresses : [];
  if (!addresses.every((a): a is string => typeof a === 'string'))
    throw new TokenError('the token addresses are not strings');
  let expiresAt = GO_ZERO_TIME;
  if (raw.expires_at !== undefined && raw.expires_at !== null) {
    if (typeof raw.expires_at !== 'string' || !parseRfc3339(raw.expires_at))
      throw new TokenError('the token expiry is not a timestamp');
    expiresAt = normalizeRfc3339(raw.expires_at);
  }
  const token: CertificateAddToken = {
    client_name: field('client_name'),
    fingerprint: field('fingerprint'),
    addresses,
    secret: field('secret'),
    expires_at: expiresAt,
  };
  if (token.client_name === '') throw new TokenError('No client name in certificate add token');
  if (token.addresses.length < 1) throw new TokenError('No server addresses in certificate add token');
  if (token.secret === '') throw new TokenError('No secret in certificate add token');
  if (token.fingerprint === '') throw new TokenError('No certificate fingerprint in certificate add token');
  return token;
}

/** The expiry of a token as a ZonedTime. */
export function tokenExpiry(token: { expires_at: string }): ZonedTime {
  return parseRfc3339(token.expires_at) ?? parseRfc3339(GO_ZERO_TIME)!;
}

function expect(metadata: Record<string, unknown>, key: string, type: 'string'): string {
  const value = metadata[key];
  if (typeof value !== type) throw new TokenError(`Operation ${key} is type ${goTypeOf(value)} not ${type}`);
  return value as string;
}

function addressList(metadata: Record<string, unknown>): string[] {
  const value = metadata.addresses;
  if (!Array.isArray(value)) throw new TokenError(`Operation addresses is type ${goTypeOf(value)} not []any`);
  return value.map((address, i) => {
    if (typeof address !== 'string')
      throw new TokenError(`Operation address index ${i} is type ${goTypeOf(address)} not string`);
    return address;
  });
}

function timestamp(text: string): string {
  if (!parseRfc3339(text))
    throw new TokenError(`parsing time "${text}" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse`);
  return normalizeRfc3339(text);
}

/** The Go type a JSON value decodes to, as `%T` prints it. */
function goTypeOf(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'map[string]interface {}';
  }
}
