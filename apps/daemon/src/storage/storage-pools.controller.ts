import * as fs from 'node:fs';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Databases } from '../database/databases';
import { SyncResponse, syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { checkIfMatch, etagOf, ifMatchOf } from '../http/etag';
import { guardedWrite } from '../http/guarded-write';
import { badRequest, notFound } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { MemberIdentity } from '../identity/member-identity';
import { LocalPools } from './local-pools';
import {
  MEMBER_SPECIFIC_POOL_KEYS,
  POOL_CREATED,
  StoragePoolRecord,
  StoragePoolStore,
  SUPPORTED_POOL_DRIVERS,
  validPoolConfig,
  validPoolName,
} from './storage-pool-store';
import { isJsonObject } from '../http/json-object';

interface PoolBody {
  name?: unknown;
  driver?: unknown;
  description?: unknown;
  config?: unknown;
}

export interface StoragePoolJson {
  name: string;
  driver: string;
  description: string;
  config: Record<string, string>;
  used_by: string[];
  status: 'Created' | 'Pending' | 'Errored';
  locations: string[];
}

/** /1.0/storage-pools: LXD's storage pools, `dir` driver, defined per member and cluster-wide. */
@Controller('/1.0/storage-pools')
export class StoragePoolsController {
  constructor(
    private readonly store: StoragePoolStore,
    private readonly local: LocalPools,
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
    private readonly events: EventBus,
  ) {}

  @Get()
  async list(@Query('recursion') recursion: string | undefined, @Query('target') target: string | undefined): Promise<SyncResponse<string[] | StoragePoolJson[]>> {
    const pools = await this.store.list();
    if (!recursion || recursion === '0') return syncResponse(pools.map((p) => `/1.0/storage-pools/${p.name}`));
    return syncResponse(await Promise.all(pools.map((p) => this.view(p, this.memberView(target)))));
  }

  @Post()
  async create(@Body() body: PoolBody, @Query('target') target: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    validPoolName(body.name);
    const driver = typeof body.driver === 'string' ? body.driver : '';
    if (driver === '') throw badRequest('No driver provided');
    if (!(SUPPORTED_POOL_DRIVERS as readonly string[]).includes(driver)) throw badRequest(`Storage pool driver "${driver}" is not supported (supported: ${SUPPORTED_POOL_DRIVERS.join(', ')})`);
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    const config = validPoolConfig(body.config, driver);
    const input = { name: body.name, driver, description: (body.description as string) ?? '', config };
    const clustered = this.databases.clustered;
    if (clustered && target) {
      if (config.source) this.local.prepare(config.source);
      await this.store.defineOnMember(input, this.identity.node.id, this.identity.name);
    } else if (clustered) {
      for (const key of Object.keys(config)) {
        if (MEMBER_SPECIFIC_POOL_KEYS.has(key)) throw badRequest(`Config key "${key}" is member-specific: define it per member with --target first`);
      }
      const nodes = await this.databases.global.query<{ id: number }>('SELECT id FROM nodes ORDER BY id');
      await this.store.create(input, nodes.map((n) => Number(n.id)));
      await this.local.open(input.name);
    } else {
      const source = config.source || this.local.defaultSource(input.name);
      this.local.prepare(source);
      const global = Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'source'));
      await this.store.create({ ...input, config: global }, [this.identity.node.id], { nodeId: this.identity.node.id, config: config.source ? { source: config.source } : {} });
    }
    emitLifecycle(this.events, 'storage-pool-created', `/1.0/storage-pools/${input.name}`, ctx);
    reply.status(201).header('Location', `/1.0/storage-pools/${input.name}`);
    return syncResponse(null);
  }

  @Get(':name')
  async get(@Param('name') name: string, @Query('target') target: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse<StoragePoolJson>> {
    const pool = await this.view(await this.store.get(name), this.memberView(target));
    reply.header('ETag', `"${etagOf([pool.name, pool.driver, pool.description, pool.config])}"`);
    return syncResponse(pool);
  }

  @Put(':name')
  async put(@Param('name') name: string, @Body() body: PoolBody, @Query('target') target: string | undefined, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    await this.update(name, body, target, ifMatch, false);
    emitLifecycle(this.events, 'storage-pool-updated', `/1.0/storage-pools/${name}`, ctx);
    return syncResponse({});
  }

  @Patch(':name')
  async patch(@Param('name') name: string, @Body() body: PoolBody, @Query('target') target: string | undefined, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    await this.update(name, body, target, ifMatch, true);
    emitLifecycle(this.events, 'storage-pool-updated', `/1.0/storage-pools/${name}`, ctx);
    return syncResponse({});
  }

  @Delete(':name')
  @HttpCode(200)
  async remove(@Param('name') name: string, @Ctx() ctx: RequestContext) {
    const pool = await this.store.get(name);
    const usedBy = await this.store.usedBy(name);
    if (usedBy.length > 0) throw badRequest(`The storage pool is currently in use (${usedBy.join(', ')})`);
    await this.store.delete(pool);
    if (pool.members.has(this.identity.node.id)) this.local.remove(pool);
    emitLifecycle(this.events, 'storage-pool-deleted', `/1.0/storage-pools/${name}`, ctx);
    return syncResponse({});
  }

  @Get(':name/resources')
  async resources(@Param('name') name: string) {
    const pool = await this.store.get(name);
    const source = this.local.sourceOf(pool);
    let stats: fs.StatsFs;
    try {
      stats = fs.statfsSync(source);
    } catch (err) {
      throw notFound(`Storage pool "${name}" has no directory on this member: ${(err as Error).message}`);
    }
    const total = stats.blocks * stats.bsize;
    return syncResponse({
      space: { used: total - stats.bfree * stats.bsize, total },
      inodes: { used: stats.files - stats.ffree, total: stats.files },
    });
  }

  @Get(':name/volumes')
  async volumes(@Param('name') name: string, @Query('recursion') recursion: string | undefined) {
    await this.store.get(name);
    const rows = await this.databases.global.query<{ name: string; node: string; project: string; created: string; description: string }>(
      `SELECT v.name, nodes.name AS node, projects.name AS project, v.creation_date AS created, v.description FROM storage_volumes v
       JOIN storage_pools sp ON sp.id = v.storage_pool_id JOIN projects ON projects.id = v.project_id
       LEFT JOIN nodes ON nodes.id = v.node_id WHERE sp.name = ? AND v.type = 0 ORDER BY v.name`,
      [name],
    );
    if (!recursion || recursion === '0') return syncResponse(rows.map((v) => `/1.0/storage-pools/${name}/volumes/container/${v.name}`));
    return syncResponse(
      rows.map((v) => ({
        name: v.name,
        type: 'container',
        description: v.description,
        config: {},
        used_by: [`/1.0/instances/${v.name}${v.project === 'default' ? '' : `?project=${v.project}`}`],
        location: this.databases.clustered ? (v.node ?? '') : 'none',
        content_type: 'filesystem',
        project: v.project,
        created_at: v.created,
      })),
    );
  }

  /** Member-specific keys are shown for one member: the target, or this member when standalone. */
  private memberView(target: string | undefined): boolean {
    return !this.databases.clustered || (target !== undefined && target !== '');
  }

  private async view(pool: StoragePoolRecord, withMemberConfig: boolean): Promise<StoragePoolJson> {
    const config = { ...pool.config };
    if (withMemberConfig) Object.assign(config, { source: this.local.sourceOf(pool) }, pool.memberConfig.get(this.identity.node.id) ?? {});
    return {
      name: pool.name,
      driver: pool.driver,
      description: pool.description,
      config,
      used_by: await this.store.usedBy(pool.name),
      status: pool.state === POOL_CREATED ? 'Created' : 'Pending',
      locations: [...pool.members.values()].map((m) => m.name),
    };
  }

  private async update(name: string, body: PoolBody, target: string | undefined, ifMatch: string | undefined, merge: boolean): Promise<void> {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    await guardedWrite(() => this.updateOnce(name, body, target, ifMatch, merge), { ifMatch: ifMatchOf(ifMatch) });
  }

  /** One read, and one write guarded by what was read. */
  private async updateOnce(name: string, body: PoolBody, target: string | undefined, ifMatch: string | undefined, merge: boolean): Promise<void> {
    const pool = await this.store.get(name);
    const current = await this.view(pool, this.memberView(target));
    checkIfMatch(ifMatch, etagOf([current.name, current.driver, current.description, current.config]));
    const given = validPoolConfig(body.config, pool.driver);
    const source = this.local.sourceOf(pool);
    if (given.source !== undefined && given.source !== source && !(merge === false && given.source === '')) {
      throw badRequest('The "source" of a storage pool cannot be changed');
    }
    const global: Record<string, string> = merge ? { ...pool.config } : {};
    for (const [key, value] of Object.entries(given)) if (!MEMBER_SPECIFIC_POOL_KEYS.has(key)) global[key] = value;
    const description = body.description === undefined ? (merge ? pool.description : '') : (body.description as string);
    await this.store.update(pool, description, global);
  }
}
