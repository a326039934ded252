import * as os from 'node:os';
import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SyncResponse, syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { etagOf, ifMatchOf } from '../http/etag';
import { guardedWrite } from '../http/guarded-write';
import { badRequest, forbidden, preconditionFailed } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { checkDevices, checkProfileConfig } from '../instances/instance-config';
import { ProfileUsers } from './profile-users';
import { profileUrl } from './profile-url';
import { type Devices, type ProfileJson, ProfileStore, type StoredProfile, validConfig, validDevices, validProfileName } from './profile-store';
import { isJsonObject } from '../http/json-object';

interface ProfileBody {
  name?: unknown;
  description?: unknown;
  config?: unknown;
  devices?: unknown;
}

export function profileEtag(p: ProfileJson): string {
  return etagOf([p.config, p.description, p.devices]);
}

function view(p: StoredProfile): ProfileJson {
  return { name: p.name, description: p.description, config: p.config, devices: p.devices, used_by: p.used_by };
}

/** Refuses a profile's config or devices that no instance could use. */
function checked<T extends { config: Record<string, string>; devices: Devices }>(content: T): T {
  checkProfileConfig(content.config, os.totalmem);
  checkDevices(content.devices, 'devices');
  return content;
}

function projectOf(project: string | undefined): string {
  return project && project !== '' ? project : 'default';
}

/** /1.0/profiles: LXD's profiles, with ETag compare-and-set done inside the replicated write. */
@Controller('/1.0/profiles')
export class ProfilesController {
  constructor(
    private readonly profiles: ProfileStore,
    private readonly users: ProfileUsers,
    private readonly events: EventBus,
  ) {}

  @Get()
  async list(@Query('recursion') recursion: string | undefined, @Query('project') project: string | undefined): Promise<SyncResponse<string[] | ProfileJson[]>> {
    const all = await this.profiles.list(projectOf(project));
    if (recursion && recursion !== '0') return syncResponse(all.map(view));
    return syncResponse(all.map((p) => profileUrl(p.name)));
  }

  @Post()
  async create(@Body() body: ProfileBody, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply, @Ctx() ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    validProfileName(body.name);
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    await this.profiles.create(
      checked({ name: body.name, description: (body.description as string) ?? '', config: validConfig(body.config), devices: validDevices(body.devices) }),
      projectOf(project),
    );
    emitLifecycle(this.events, 'profile-created', profileUrl(body.name), ctx, undefined, projectOf(project));
    reply.status(201).header('Location', profileUrl(body.name));
    return syncResponse(null);
  }

  @Get(':name')
  async get(@Param('name') name: string, @Query('project') project: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse<ProfileJson>> {
    const p = view(await this.profiles.get(name, projectOf(project)));
    reply.header('ETag', `"${profileEtag(p)}"`);
    return syncResponse(p);
  }

  @Put(':name')
  async put(@Param('name') name: string, @Body() body: ProfileBody, @Headers('if-match') ifMatch: string | undefined, @Query('project') project: string | undefined, @Ctx() ctx: RequestContext) {
    const written = await this.write(name, projectOf(project), ifMatchOf(ifMatch), () => ({
      description: (body?.description as string) ?? '',
      config: validConfig(body?.config),
      devices: validDevices(body?.devices),
    }), body);
    emitLifecycle(this.events, 'profile-updated', profileUrl(name), ctx, undefined, projectOf(project));
    await this.users.apply(written, projectOf(project), ctx);
    return syncResponse({});
  }

  @Patch(':name')
  async patch(@Param('name') name: string, @Body() body: ProfileBody, @Headers('if-match') ifMatch: string | undefined, @Query('project') project: string | undefined, @Ctx() ctx: RequestContext) {
    const written = await this.write(name, projectOf(project), ifMatchOf(ifMatch), (current) => {
      const devices: Devices = { ...current.devices };
      for (const [k, v] of Object.entries(validDevices(body?.devices))) devices[k] = v;
      return {
        description: body?.description === undefined ? current.description : (body.description as string),
        config: { ...current.config, ...validConfig(body?.config) },
        devices,
      };
    }, body);
    emitLifecycle(this.events, 'profile-updated', profileUrl(name), ctx, undefined, projectOf(project));
    await this.users.apply(written, projectOf(project), ctx);
    return syncResponse({});
  }

  /** Renames a profile: 201 with the new name's URL, as LXD answers. */
  @Post(':name')
  async rename(
    @Param('name') name: string,
    @Body() body: ProfileBody,
    @Query('project') project: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ) {
    validProfileName(body?.name);
    if (name === 'default') throw forbidden('The "default" profile cannot be renamed');
    const current = await this.profiles.get(name, projectOf(project));
    await this.profiles.rename(current.id, current.state, body.name);
    emitLifecycle(this.events, 'profile-renamed', profileUrl(body.name), ctx, { old_name: name }, projectOf(project));
    reply.status(201).header('Location', profileUrl(body.name));
    return syncResponse(null);
  }

  @Delete(':name')
  async remove(@Param('name') name: string, @Query('project') project: string | undefined, @Ctx() ctx: RequestContext) {
    if (name === 'default') throw forbidden('The "default" profile cannot be deleted');
    const current = await this.profiles.get(name, projectOf(project));
    if (current.used_by.length > 0) throw badRequest('Profile is currently in use');
    await this.profiles.delete(current.id, current.state);
    emitLifecycle(this.events, 'profile-deleted', profileUrl(name), ctx, undefined, projectOf(project));
    return syncResponse({});
  }

  /**
   * Read, check the ETag, compute the new content, write guarded by the state that was read (see
   * guardedWrite for a lost race); the profile as it was before.
   */
  private async write(
    name: string,
    project: string,
    ifMatch: string | undefined,
    next: (current: StoredProfile) => { description: string; config: Record<string, string>; devices: Devices },
    body: ProfileBody,
  ): Promise<StoredProfile> {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    return guardedWrite(async () => {
      const current = await this.profiles.get(name, project);
      const etag = profileEtag(view(current));
      if (ifMatch !== undefined && ifMatch !== etag) throw preconditionFailed(`ETag doesn't match: ${etag} vs ${ifMatch}`);
      const content = checked(next(current));
      await this.users.check(current, content, project);
      await this.profiles.replace(current.id, current.state, content);
      return current;
    }, { ifMatch });
  }
}
