/**
 * Single-use, expiring tokens (the replicated `tokens` table), for a member joining the cluster
 * and for a client adding its certificate. Issuing one creates a Running operation of class
 * `token` on this member (its metadata is what the client encodes into the token string);
 * cancelling the operation revokes the token. Using it deletes the row in the same replicated
 * transaction as the admission, guarded so that of two concurrent uses exactly one wins.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LEADER, type SqlStatement, type TxParam } from '@app/db';
import { ServerConfig } from '../config-keys/server-config.service';
import { parseDurationMs } from '../config-keys/server-config-schema';
import { Databases } from '../database/databases';
import { MemberIdentity } from '../identity/member-identity';
import { badRequest, forbidden } from '../http/lxd-error';
import type { Operation } from '../operations/operation';
import { OperationsManager } from '../operations/operations-manager';

export type TokenKind = 'cluster-member' | 'certificate';

export interface IssuedToken {
  operation: Operation;
  secret: string;
  expiresAt: string;
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

@Injectable()
export class Tokens implements OnModuleInit, OnApplicationShutdown {
  private sweeper?: NodeJS.Timeout;

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), 2000);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /**
   * Ends this member's token operations whose token is gone (used, here or on another member) or
   * expired (its row is removed too).
   */
  async sweep(): Promise<void> {
    const running = this.operations.list().filter((op) => op.spec.class === 'token' && !op.done);
    if (running.length === 0) return;
    const sm = this.databases.global.stateMachine;
    for (const op of running) {
      const rows = sm.query<{ expires_at: string }>('SELECT expires_at FROM tokens WHERE operation_uuid = ?', [op.id]);
      if (rows.length === 0) {
        op.transition('Success');
      } else if (Date.parse(rows[0].expires_at) <= Date.now()) {
        await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM tokens WHERE operation_uuid = ?', params: [op.id] }] });
        op.transition('Cancelled', 'The token expired');
      }
    }
  }

  constructor(
    private readonly databases: Databases,
    private readonly operations: OperationsManager,
    private readonly identity: MemberIdentity,
    private readonly config: ServerConfig,
  ) {}

  /**
   * Issues a token for `name`; `metadata(secret, expiresAt)` gives the operation's metadata.
   * A name with an unused token already is refused (409-like 400, as LXD).
   */
  async issue(kind: TokenKind, name: string, description: string, metadata: (secret: string, expiresAt: string) => Record<string, unknown>): Promise<IssuedToken> {
    const secret = randomBytes(32).toString('hex');
    const expiryMs = parseDurationMs((await this.config.get('cluster.join_token_expiry')) ?? '3H');
    const expiresAt = new Date(Date.now() + expiryMs).toISOString();
    let operation: Operation | undefined;
    operation = this.operations.create({
      class: 'token',
      description,
      resources: kind === 'cluster-member' ? { cluster: [] } : null,
      metadata: metadata(secret, expiresAt),
      cancel: async () => {
        await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM tokens WHERE operation_uuid = ?', params: [operation!.id] }] });
      },
    });
    try {
      await this.databases.global.exec({
        statements: [
          // Expired tokens of this name make way.
          { sql: 'DELETE FROM tokens WHERE kind = ? AND name = ? AND expires_at <= ?', params: [kind, name, LEADER.now] },
          {
            sql: 'INSERT INTO tokens (kind, name, secret_hash, operation_uuid, node_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            params: [kind, name, secretHash(secret), operation.id, this.identity.id, LEADER.now, expiresAt],
          },
        ],
      });
    } catch (err) {
      operation.transition('Failure', (err as Error).message);
      if (/UNIQUE constraint failed: tokens.kind, tokens.name/.test((err as Error).message)) {
        throw badRequest(`A token for "${name}" already exists`);
      }
      throw err;
    }
    return { operation, secret, expiresAt };
  }

  /**
   * Checks a token before use and says clearly why it cannot be used; the statements returned
   * consume it inside the caller's admission transaction (their guard fails if another request
   * used it meanwhile).
   */
  async check(kind: TokenKind, name: string, secret: string): Promise<{ operationUuid: string; consume: SqlStatement<TxParam>[] }> {
    const rows = await this.databases.global.query<{ secret_hash: string; operation_uuid: string; expires_at: string }>(
      'SELECT secret_hash, operation_uuid, expires_at FROM tokens WHERE kind = ? AND name = ?',
      [kind, name],
    );
    const row = rows[0];
    const what = kind === 'cluster-member' ? `No join token found for member "${name}"` : `No certificate add token found for "${name}"`;
    if (!row) throw forbidden(`${what} (it was never issued, was revoked or was used already)`);
    if (row.secret_hash !== secretHash(secret)) throw forbidden('The token secret is not valid');
    if (Date.parse(row.expires_at) <= Date.now()) throw forbidden(`The token expired at ${row.expires_at}`);
    return {
      operationUuid: row.operation_uuid,
      consume: [
        {
          sql: 'DELETE FROM tokens WHERE kind = ? AND name = ? AND secret_hash = ? AND expires_at > ?',
          params: [kind, name, secretHash(secret), LEADER.now],
          expect: 1,
        },
      ],
    };
  }

  /** Ends the token operation on this member after the token was used (here or elsewhere). */
  finishOperation(operationUuid: string): void {
    const op = this.operations.get(operationUuid);
    if (op && !op.done) op.transition('Success');
  }

  /** Finds a token of `kind` whose secret matches, without knowing the name (certificate tokens). */
  async nameForSecret(kind: TokenKind, secret: string): Promise<string | undefined> {
    const rows = await this.databases.global.query<{ name: string }>('SELECT name FROM tokens WHERE kind = ? AND secret_hash = ?', [kind, secretHash(secret)]);
    return rows[0]?.name;
  }
}
