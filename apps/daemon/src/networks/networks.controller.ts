import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Databases } from '../database/databases';
import { syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { checkIfMatch, etagOf, ifMatchOf } from '../http/etag';
import { guardedWrite } from '../http/guarded-write';
import { badRequest } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { MemberIdentity } from '../identity/member-identity';
import { FanNetworks } from './fan-networks';
import { fanOf, validNetworkConfig, validNetworkName } from './network-config';
import { NetworkMembers } from './network-members';
import { readNetworkState } from './network-state';
import { NETWORK_CREATED, type NetworkRecord, NetworkStore } from './network-store';
import { isJsonObject } from '../http/json-object';

interface NetworkBody {
  name?: unknown;
  type?: unknown;
  description?: unknown;
  config?: unknown;
}

export interface NetworkJson {
  name: string;
  description: string;
  type: string;
  managed: boolean;
  status: string;
  config: Record<string, string>;
  used_by: string[];
  locations: string[];
}

function projectOf(project: string | undefined): string {
  return project && project !== '' ? project : 'default';
}

/** /1.0/networks: LXD's managed networks, here Fan bridges set up on every member. */
@Controller('/1.0/networks')
export class NetworksController {
  constructor(
    private readonly store: NetworkStore,
    private readonly fan: FanNetworks,
    private readonly members: NetworkMembers,
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
    private readonly events: EventBus,
  ) {}

  @Get()
  async list(@Query('recursion') recursion: string | undefined, @Query('project') project: string | undefined) {
    const networks = await this.store.list(projectOf(project));
    if (!recursion || recursion === '0') return syncResponse(networks.map((n) => `/1.0/networks/${n.name}`));
    return syncResponse(await Promise.all(networks.map((n) => this.view(n))));
  }

  @Post()
  async create(@Body() body: NetworkBody, @Query('project') project: string | undefined, @Query('target') target: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    validNetworkName(body.name);
    if (body.type !== undefined && body.type !== '' && body.type !== 'bridge') throw badRequest(`Network type "${String(body.type)}" is not supported: Cubed manages Fan bridges`);
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    const config = validNetworkConfig(body.config);
    const input = { name: body.name, project: projectOf(project), description: (body.description as string) ?? '', config };
    if (this.databases.clustered && target) {
      if (Object.keys(config).length > 0) throw badRequest('A Fan network has no member-specific keys: give its config when creating it for the whole cluster');
      await this.store.defineOnMember({ ...input, config: {} }, this.identity.node.id, this.identity.name);
    } else {
      fanOf(input.name, config);
      const pending = await this.store.find(input.project, input.name);
      const nodes = this.databases.clustered ? this.databases.global.stateMachine.query<{ id: number }>('SELECT id FROM nodes').map((n) => Number(n.id)) : [this.identity.node.id];
      await this.fan.check({ name: input.name, config }, this.fan.allMembers());
      await this.store.create(pending ? { ...input, config: { ...pending.config, ...config } } : input, nodes);
      const failures = await this.members.syncAll();
      if (failures.length > 0) {
        await this.store.delete(await this.store.get(input.project, input.name));
        await this.members.syncAll();
        throw badRequest(`Failed to create network "${input.name}": ${failures.join('; ')}`);
      }
    }
    emitLifecycle(this.events, 'network-created', `/1.0/networks/${input.name}`, ctx, undefined, input.project);
    reply.status(201).header('Location', `/1.0/networks/${input.name}`);
    return syncResponse(null);
  }

  @Get(':name')
  async get(@Param('name') name: string, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const json = await this.view(await this.store.get(projectOf(project), name));
    reply.header('ETag', `"${etagOf([json.name, json.managed, json.type, json.description, json.config])}"`);
    return syncResponse(json);
  }

  @Get(':name/state')
  async state(@Param('name') name: string, @Query('project') project: string | undefined) {
    const network = await this.store.get(projectOf(project), name);
    return syncResponse(await readNetworkState(network.name, this.fan.memberStatus(network.name)?.error));
  }

  @Put(':name')
  async put(@Param('name') name: string, @Body() body: NetworkBody, @Query('project') project: string | undefined, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    await this.update(projectOf(project), name, body, ifMatch, false);
    emitLifecycle(this.events, 'network-updated', `/1.0/networks/${name}`, ctx, undefined, projectOf(project));
    return syncResponse({});
  }

  @Patch(':name')
  async patch(@Param('name') name: string, @Body() body: NetworkBody, @Query('project') project: string | undefined, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    await this.update(projectOf(project), name, body, ifMatch, true);
    emitLifecycle(this.events, 'network-updated', `/1.0/networks/${name}`, ctx, undefined, projectOf(project));
    return syncResponse({});
  }

  @Post(':name')
  @HttpCode(200)
  rename(@Param('name') name: string): never {
    throw badRequest(`Network "${name}" cannot be renamed: its name is the bridge's device name on every member (delete it and create it again)`);
  }

  @Delete(':name')
  async remove(@Param('name') name: string, @Query('project') project: string | undefined, @Ctx() ctx: RequestContext) {
    const network = await this.store.get(projectOf(project), name);
    const usedBy = await this.store.usedBy(network.project, name);
    if (usedBy.length > 0) throw badRequest(`The network is currently in use (${usedBy.join(', ')})`);
    await this.store.delete(network);
    const failures = await this.members.syncAll();
    emitLifecycle(this.events, 'network-deleted', `/1.0/networks/${name}`, ctx, undefined, network.project);
    if (failures.length > 0) throw badRequest(`Network "${name}" was deleted, but not every member could remove it yet (they retry): ${failures.join('; ')}`);
    return syncResponse({});
  }

  private async update(project: string, name: string, body: NetworkBody, ifMatch: string | undefined, merge: boolean): Promise<void> {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    await guardedWrite(() => this.updateOnce(project, name, body, ifMatch, merge), { ifMatch: ifMatchOf(ifMatch) });
  }

  /** One read, one write guarded by what was read, and the members' sync (put back if it fails). */
  private async updateOnce(project: string, name: string, body: NetworkBody, ifMatch: string | undefined, merge: boolean): Promise<void> {
    const network = await this.store.get(project, name);
    const current = await this.view(network);
    checkIfMatch(ifMatch, etagOf([current.name, current.managed, current.type, current.description, current.config]));
    const given = validNetworkConfig(body.config);
    const config = merge ? { ...network.config, ...given } : given;
    fanOf(name, config);
    await this.fan.check({ name, config }, this.fan.membersOf(network));
    const description = body.description === undefined ? (merge ? network.description : '') : (body.description as string);
    await this.store.update(network, description, config);
    const failures = await this.members.syncAll();
    if (failures.length > 0) {
      // Put back what was there, unless another edit came meanwhile (then that one stands).
      await this.store.update({ id: network.id, description, config }, network.description, network.config).catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 412) throw err;
      });
      await this.members.syncAll();
      throw badRequest(`Failed to update network "${name}": ${failures.join('; ')}`);
    }
  }

  private async view(network: NetworkRecord): Promise<NetworkJson> {
    return {
      name: network.name,
      description: network.description,
      type: network.type,
      managed: true,
      status: network.state === NETWORK_CREATED ? 'Created' : 'Pending',
      config: network.config,
      used_by: await this.store.usedBy(network.project, network.name),
      locations: [...network.members.values()].map((m) => m.name),
    };
  }
}
