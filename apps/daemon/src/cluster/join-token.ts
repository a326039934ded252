/**
 * Join tokens as LXD 5.0.2 encodes them: base64 of a JSON object with the new member's name, the
 * cluster certificate's fingerprint, the addresses of the members to contact, the secret and the
 * expiry. Certificate-add tokens have `client_name` instead of `server_name`.
 */
import { badRequest } from '../http/lxd-error';
import { isJsonObject } from '../http/json-object';

export interface JoinToken {
  server_name: string;
  fingerprint: string;
  addresses: string[];
  secret: string;
  expires_at: string;
}

export interface CertificateAddToken {
  client_name: string;
  fingerprint: string;
  addresses: string[];
  secret: string;
  expires_at: string;
}

export function encodeToken(token: JoinToken | CertificateAddToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeObject(text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text.trim(), 'base64').toString('utf8'));
  } catch {
    throw badRequest('Invalid join token: it is not base64-encoded JSON');
  }
  if (!isJsonObject(json)) throw badRequest('Invalid join token: not an object');
  return json as Record<string, unknown>;
}

export function decodeJoinToken(text: string): JoinToken {
  const o = decodeObject(text);
  const addresses = o.addresses;
  if (
    typeof o.server_name !== 'string' ||
    typeof o.fingerprint !== 'string' ||
    typeof o.secret !== 'string' ||
    !Array.isArray(addresses) ||
    addresses.length === 0 ||
    !addresses.every((a) => typeof a === 'string')
  ) {
    throw badRequest('Invalid join token: it lacks server_name, fingerprint, addresses or secret');
  }
  return { server_name: o.server_name, fingerprint: o.fingerprint, addresses: addresses as string[], secret: o.secret, expires_at: String(o.expires_at ?? '') };
}
