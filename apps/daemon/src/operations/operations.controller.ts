import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ClusterMembers } from '../cluster/cluster-members';
import { PeerClient } from '../cluster/peer-client';
import { Databases } from '../database/databases';
import { SyncResponse, syncResponse } from '../envelope';
import { badRequest, LxdError, notFound } from '../http/lxd-error';
import { MemberIdentity } from '../identity/member-identity';
import type { Operation, OperationJson } from './operation';
import { OperationsManager } from './operations-manager';

type Grouped<T> = Record<string, T[]>;

/**
 * /1.0/operations: the operations of every member (a cluster lists them all; one that runs on
 * another member is fetched from, waited for on, or cancelled through that member), and
 * /internal/operations: this member's own.
 */
@Controller()
export class OperationsController {
  constructor(
    private readonly operations: OperationsManager,
    private readonly databases: Databases,
    private readonly members: ClusterMembers,
    private readonly peers: PeerClient,
    private readonly identity: MemberIdentity,
  ) {}

  @Get('/1.0/operations')
  async list(@Query('recursion') recursion: string | undefined): Promise<SyncResponse<Grouped<string> | Grouped<OperationJson>>> {
    const all = [...this.operations.list().map((o) => o.toJSON()), ...(await this.remoteOperations())];
    const grouped: Grouped<OperationJson> = {};
    for (const op of all) (grouped[op.status.toLowerCase()] ??= []).push(op);
    if (recursion && recursion !== '0') return syncResponse(grouped);
    const urls: Grouped<string> = {};
    for (const [status, ops] of Object.entries(grouped)) urls[status] = ops.map((o) => `/1.0/operations/${o.id}`);
    return syncResponse(urls);
  }

  @Get('/1.0/operations/:id')
  async get(@Param('id') id: string): Promise<SyncResponse<OperationJson>> {
    const local = this.operations.get(id);
    if (local) return syncResponse(local.toJSON());
    const remote = await this.locate(id);
    return syncResponse(await this.peers.lxd<OperationJson>(remote, 'GET', `/internal/operations/${encodeURIComponent(id)}`));
  }

  @Get('/1.0/operations/:id/wait')
  async wait(@Param('id') id: string, @Query('timeout') timeout: string | undefined): Promise<SyncResponse<OperationJson>> {
    const seconds = timeout === undefined || timeout === '' ? -1 : Number(timeout);
    if (!Number.isFinite(seconds)) throw badRequest(`Invalid timeout "${timeout}"`);
    const local = this.operations.get(id);
    if (local) return syncResponse(await this.operations.wait(local, seconds));
    const remote = await this.locate(id);
    const path = `/1.0/operations/${encodeURIComponent(id)}/wait${timeout !== undefined ? `?timeout=${encodeURIComponent(timeout)}` : ''}`;
    return syncResponse(await this.peers.lxd<OperationJson>(remote, 'GET', path, undefined, { timeoutMs: seconds < 0 ? 24 * 3600_000 : seconds * 1000 + 10_000 }));
  }

  @Delete('/1.0/operations/:id')
  async cancel(@Param('id') id: string): Promise<SyncResponse<Record<string, never>>> {
    const local = this.operations.get(id);
    if (local) {
      await this.cancelLocal(local);
      return syncResponse({});
    }
    const remote = await this.locate(id);
    await this.peers.lxd(remote, 'DELETE', `/1.0/operations/${encodeURIComponent(id)}`);
    return syncResponse({});
  }

  /** This member's operations only (what other members collect for a cluster-wide list). */
  @Get('/internal/operations')
  localList(): SyncResponse<OperationJson[]> {
    return syncResponse(this.operations.list().map((o) => o.toJSON()));
  }

  @Get('/internal/operations/:id')
  localGet(@Param('id') id: string): SyncResponse<OperationJson> {
    const op = this.operations.get(id);
    if (!op) throw notFound('Operation not found');
    return syncResponse(op.toJSON());
  }

  private async cancelLocal(op: Operation): Promise<void> {
    try {
      await this.operations.cancel(op);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
  }

  /** The addresses of the other members that answer heartbeats (this one is known by its address, which a rename keeps). */
  private async peerAddresses(): Promise<string[]> {
    if (!this.databases.clustered) return [];
    const [records, threshold] = await Promise.all([this.members.records(), this.members.offlineThresholdMs()]);
    return records.filter((r) => r.address !== this.identity.address && ClusterMembers.isOnline(r, threshold)).map((r) => r.address);
  }

  private async remoteOperations(): Promise<OperationJson[]> {
    const lists = await Promise.all(
      (await this.peerAddresses()).map((a) => this.peers.lxd<OperationJson[]>(a, 'GET', '/internal/operations', undefined, { timeoutMs: 2000 }).catch(() => [])),
    );
    return lists.flat();
  }

  /** The address of the member running operation `id`; 404 when none does. */
  private async locate(id: string): Promise<string> {
    const addresses = await this.peerAddresses();
    const found = await Promise.all(
      addresses.map((a) =>
        this.peers
          .lxd(a, 'GET', `/internal/operations/${encodeURIComponent(id)}`, undefined, { timeoutMs: 2000 })
          .then(() => a)
          .catch((err: unknown) => (err instanceof LxdError && err.statusCode === 404 ? undefined : undefined)),
      ),
    );
    const address = found.find((a) => a !== undefined);
    if (!address) throw notFound('Operation not found');
    return address;
  }
}
