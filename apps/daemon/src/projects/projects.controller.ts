import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Databases } from '../database/databases';
import { SyncResponse, syncResponse } from '../envelope';
import { etagOf } from '../http/etag';
import { notFound } from '../http/lxd-error';
import { profileUrl } from '../profiles/profile-url';

export interface ProjectJson {
  name: string;
  description: string;
  config: Record<string, string>;
  used_by: string[];
}

/** /1.0/projects: the projects of the global database (the default project, with its features). */
@Controller('/1.0/projects')
export class ProjectsController {
  constructor(private readonly databases: Databases) {}

  private async all(): Promise<ProjectJson[]> {
    const db = this.databases.global;
    const [projects, config, profiles] = await Promise.all([
      db.query<{ id: number; name: string; description: string }>('SELECT id, name, description FROM projects ORDER BY name'),
      db.query<{ project_id: number; key: string; value: string | null }>('SELECT project_id, key, value FROM projects_config ORDER BY key'),
      db.query<{ project_id: number; name: string }>('SELECT project_id, name FROM profiles ORDER BY name'),
    ]);
    return projects.map((p) => ({
      name: p.name,
      description: p.description,
      config: Object.fromEntries(config.filter((c) => c.project_id === p.id).map((c) => [c.key, c.value ?? ''])),
      used_by: profiles.filter((x) => x.project_id === p.id).map((x) => profileUrl(x.name, p.name)),
    }));
  }

  @Get()
  async list(@Query('recursion') recursion: string | undefined): Promise<SyncResponse<string[] | ProjectJson[]>> {
    const all = await this.all();
    if (recursion && recursion !== '0') return syncResponse(all);
    return syncResponse(all.map((p) => `/1.0/projects/${p.name}`));
  }

  @Get(':name')
  async get(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse<ProjectJson>> {
    const p = (await this.all()).find((x) => x.name === name);
    if (!p) throw notFound('Project not found');
    reply.header('ETag', `"${etagOf({ description: p.description, config: p.config })}"`);
    return syncResponse(p);
  }
}
