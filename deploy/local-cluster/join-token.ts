/**
 * Join tokens, as `lxc cluster add` gets them: POST /1.0/cluster/members {server_name} answers
 * with a running operation of class `token`, whose metadata {serverName, fingerprint, addresses,
 * secret, expiresAt} is encoded as base64 JSON {server_name, fingerprint, addresses, secret,
 * expires_at}.
 */
import { type LxdApi, LxdApiError } from './lxd-api';

interface TokenMetadata {
  serverName?: unknown;
  fingerprint?: unknown;
  addresses?: unknown;
  secret?: unknown;
  expiresAt?: unknown;
}

export function encodeJoinToken(meta: TokenMetadata): string {
  const { serverName, fingerprint, addresses, secret, expiresAt } = meta;
  if (typeof serverName !== 'string' || typeof fingerprint !== 'string' || typeof secret !== 'string' || !Array.isArray(addresses) || addresses.length === 0) {
    throw new LxdApiError(`the token operation lacks serverName, fingerprint, secret or addresses: ${JSON.stringify(meta)}`, 0);
  }
  const token = { server_name: serverName, fingerprint, addresses, secret, expires_at: String(expiresAt ?? '') };
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

/** Asks a cluster member for a join token for a new member named `name`. */
export async function requestJoinToken(member: LxdApi, name: string): Promise<string> {
  const op = await member.startOperation('POST', '/1.0/cluster/members', { server_name: name });
  if (op.class !== 'token') throw new LxdApiError(`POST /1.0/cluster/members answered an operation of class "${op.class}", not "token"`, 0);
  return encodeJoinToken((op.metadata ?? {}) as TokenMetadata);
}
