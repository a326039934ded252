import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { certificateFingerprint, TxFailedError } from '@app/db';
import { Databases } from '../database/databases';
import { readClusterTls } from '../database/cluster-tls-files';
import { SyncResponse, syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { replyAsync } from '../http/async-reply';
import { etagOf, ifMatchOf } from '../http/etag';
import { badRequest, notFound } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { MemberIdentity } from '../identity/member-identity';
import { OperationsManager } from '../operations/operations-manager';
import { Tokens } from '../trust/tokens';
import { StateDir } from '../identity/state-dir';
import { LocalPools } from '../storage/local-pools';
import { StoragePoolStore } from '../storage/storage-pool-store';
import { ClusterLeader } from './cluster-leader';
import { type ClusterMemberJson, ClusterMembers, MEMBER_STATE_CREATED, MEMBER_STATE_EVACUATED } from './cluster-members';
import { Clustering, validMemberName } from './clustering.service';
import { memberEtag, MemberUpdate } from './member-update';
import { isJsonObject } from '../http/json-object';

interface ClusterPut {
  server_name?: unknown;
  enabled?: unknown;
  server_address?: unknown;
  cluster_address?: unknown;
  cluster_certificate?: unknown;
  cluster_token?: unknown;
  cluster_password?: unknown;
  member_config?: unknown;
}

const str = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  return v;
};

/** /1.0/cluster and /1.0/cluster/members: LXD's clustering API. */
@Controller('/1.0/cluster')
export class ClusterController {
  constructor(
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
    private readonly members: ClusterMembers,
    private readonly clustering: Clustering,
    private readonly update: MemberUpdate,
    private readonly tokens: Tokens,
    private readonly operations: OperationsManager,
    private readonly events: EventBus,
    private readonly leader: ClusterLeader,
    private readonly stateDir: StateDir,
    private readonly pools: LocalPools,
    private readonly poolStore: StoragePoolStore,
  ) {}

  @Get()
  async info(@Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse<{ server_name: string; enabled: boolean; member_config: unknown[] }>> {
    const clustered = this.databases.clustered;
    const memberConfig = clustered ? await this.poolMemberConfig() : [];
    const body = { server_name: clustered ? this.identity.name : '', enabled: clustered, member_config: memberConfig };
    reply.header('ETag', `"${etagOf(body)}"`);
    return syncResponse(body);
  }

  /** Bootstrap a cluster, join one, or (a cluster of one) stop being clustered. An async operation. */
  @Put()
  configure(@Body() body: ClusterPut, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    const enabled = body.enabled === true;
    const name = str(body.server_name, 'server_name');
    const joinSources = memberPoolSources(body.member_config);
    if (enabled && !this.databases.clustered) {
      validMemberName(name);
      const token = str(body.cluster_token, 'cluster_token');
      const clusterAddress = str(body.cluster_address, 'cluster_address');
      const joining = token !== undefined || clusterAddress !== undefined;
      const op = this.operations.create({
        class: 'task',
        description: joining ? 'Joining cluster' : 'Creating bootstrap member',
        resources: { cluster: [] },
        run: async () => {
          if (joining) {
            this.pools.rememberJoinSources(joinSources);
            await this.clustering.join({
              serverName: name,
              serverAddress: str(body.server_address, 'server_address') ?? '',
              clusterAddress,
              clusterCertificate: str(body.cluster_certificate, 'cluster_certificate'),
              clusterToken: token,
              clusterPassword: typeof body.cluster_password === 'string' ? body.cluster_password : undefined,
            });
            emitLifecycle(this.events, 'cluster-member-added', `/1.0/cluster/members/${name}`, ctx);
          } else {
            await this.clustering.bootstrap(name);
            emitLifecycle(this.events, 'cluster-enabled', `/1.0/cluster/members/${name}`, ctx);
          }
          this.leader.start();
        },
      });
      return replyAsync(reply, op);
    }
    if (enabled) throw badRequest('This server is already clustered');
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    throw badRequest('A member leaves its cluster when it is removed from it: cube cluster remove <member> (from any member)');
  }

  @Get('members')
  async list(@Query('recursion') recursion: string | undefined): Promise<SyncResponse<string[] | ClusterMemberJson[]>> {
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    const members = await this.members.list();
    if (recursion && recursion !== '0') return syncResponse(members);
    return syncResponse(members.map((m) => `/1.0/cluster/members/${m.server_name}`));
  }

  /** A join token for a new member: an operation of class `token` that stays Running until used or revoked. */
  @Post('members')
  async addToken(@Body() body: { server_name?: unknown }, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    const name = body?.server_name;
    validMemberName(name);
    const existing = await this.databases.global.query('SELECT 1 FROM nodes WHERE name = ?', [name]);
    if (existing.length > 0) throw badRequest(`The cluster already has a member with name: ${name}`);
    const records = await this.members.records();
    const threshold = await this.members.offlineThresholdMs();
    const addresses = records.filter((r) => ClusterMembers.isOnline(r, threshold)).map((r) => r.address);
    const fingerprint = certificateFingerprint(readClusterTls(this.stateDir.path).certPem);
    const issued = await this.tokens.issue('cluster-member', name, 'Executing operation', (secret, expiresAt) => ({
      serverName: name,
      secret,
      fingerprint,
      addresses,
      expiresAt,
    }));
    emitLifecycle(this.events, 'cluster-token-created', `/1.0/cluster/members/${name}`, ctx);
    return replyAsync(reply, issued.operation);
  }

  @Get('members/:name')
  async get(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse<ClusterMemberJson>> {
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    const member = await this.members.get(name);
    reply.header('ETag', `"${memberEtag(member)}"`);
    return syncResponse(member);
  }

  @Put('members/:name')
  async put(@Param('name') name: string, @Body() body: Record<string, unknown>, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    await this.update.apply(name, body, true, ifMatchOf(ifMatch));
    emitLifecycle(this.events, 'cluster-member-updated', `/1.0/cluster/members/${name}`, ctx);
    return syncResponse({});
  }

  @Patch('members/:name')
  async patch(@Param('name') name: string, @Body() body: Record<string, unknown>, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    await this.update.apply(name, body, false, ifMatchOf(ifMatch));
    emitLifecycle(this.events, 'cluster-member-updated', `/1.0/cluster/members/${name}`, ctx);
    return syncResponse({});
  }

  /** Renames a member. */
  @Post('members/:name')
  @HttpCode(200)
  async rename(@Param('name') name: string, @Body() body: { server_name?: unknown }, @Ctx() ctx: RequestContext) {
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    const to = body?.server_name;
    validMemberName(to);
    await this.clustering.rename(name, to);
    emitLifecycle(this.events, 'cluster-member-renamed', `/1.0/cluster/members/${to}`, ctx, { old_name: name });
    return syncResponse({});
  }

  @Delete('members/:name')
  async remove(@Param('name') name: string, @Query('force') force: string | undefined, @Ctx() ctx: RequestContext) {
    await this.clustering.remove(name, force === '1' || force === 'true');
    emitLifecycle(this.events, 'cluster-member-removed', `/1.0/cluster/members/${name}`, ctx);
    return syncResponse({});
  }

  /** Evacuates a member (no new instances are placed on it) or restores it. */
  @Post('members/:name/state')
  async state(@Param('name') name: string, @Body() body: { action?: unknown }, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    const action = body?.action;
    if (action !== 'evacuate' && action !== 'restore') throw badRequest('Unknown action: expected "evacuate" or "restore"');
    await this.members.record(name);
    const op = this.operations.create({
      class: 'task',
      description: action === 'evacuate' ? 'Evacuating cluster member' : 'Restoring cluster member',
      resources: { cluster: [`/1.0/cluster/members/${name}`] },
      run: async () => {
        try {
          await this.databases.global.exec({
            statements: [{ sql: 'UPDATE nodes SET state = ? WHERE name = ?', params: [action === 'evacuate' ? MEMBER_STATE_EVACUATED : MEMBER_STATE_CREATED, name], expect: 1 }],
          });
        } catch (err) {
          if (err instanceof TxFailedError) throw notFound('Cluster member not found');
          throw err;
        }
        emitLifecycle(this.events, action === 'evacuate' ? 'cluster-member-evacuated' : 'cluster-member-restored', `/1.0/cluster/members/${name}`, ctx);
      },
    });
    return replyAsync(reply, op);
  }

  /** What a joining member may set for itself: the source of every storage pool, as LXD lists it. */
  private async poolMemberConfig(): Promise<Array<{ entity: string; name: string; key: string; value: string; description: string }>> {
    const pools = await this.poolStore.list();
    return pools.map((p) => ({ entity: 'storage-pool', name: p.name, key: 'source', value: '', description: `"source" property for storage pool "${p.name}"` }));
  }
}

/** The storage pool sources in a join request's member_config (other entities are refused). */
function memberPoolSources(memberConfig: unknown): Map<string, string> {
  const sources = new Map<string, string>();
  if (memberConfig === undefined || memberConfig === null) return sources;
  if (!Array.isArray(memberConfig)) throw badRequest('member_config must be a list');
  for (const entry of memberConfig as Array<{ entity?: unknown; name?: unknown; key?: unknown; value?: unknown }>) {
    if (entry?.entity !== 'storage-pool' || entry.key !== 'source' || typeof entry.name !== 'string' || typeof entry.value !== 'string') {
      throw badRequest(`Member config for ${String(entry?.entity ?? 'an entity')} "${String(entry?.name ?? '')}" (key "${String(entry?.key ?? '')}") cannot be applied: only the source of storage pools is member-specific`);
    }
    if (entry.value !== '') {
      if (!entry.value.startsWith('/')) throw badRequest(`Invalid source "${entry.value}" for storage pool "${entry.name}": an absolute path is needed`);
      sources.set(entry.name, entry.value);
    }
  }
  return sources;
}
