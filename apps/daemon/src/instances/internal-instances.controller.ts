/**
 * What members ask each other about instances: the runtime state of the instances a member runs
 * (for lists served elsewhere), and the member's free resources (for resource-aware placement).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { MemberResources } from '@app/scheduler';
import { syncResponse } from '../envelope';
import { badRequest, forbidden } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { MemberIdentity } from '../identity/member-identity';
import { InstanceStates } from './instance-states';
import { InstanceStore } from './instance-store';

/** Memory in use as the kernel counts it for new work (MemTotal - MemAvailable). */
function memoryUsed(): number {
  let text: string;
  try {
    text = fs.readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return os.totalmem() - os.freemem();
  }
  const kib = (name: string): number | undefined => {
    const found = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return found ? Number(found[1]) * 1024 : undefined;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  return total !== undefined && available !== undefined ? total - available : os.totalmem() - os.freemem();
}

@Controller('/internal/instances')
export class InternalInstancesController {
  constructor(
    private readonly store: InstanceStore,
    private readonly states: InstanceStates,
    private readonly identity: MemberIdentity,
  ) {}

  @Post('states')
  @HttpCode(200)
  async reportStates(@Body() body: { project?: unknown; names?: unknown; full?: unknown }, @Ctx() ctx: RequestContext) {
    if (ctx.protocol !== 'cluster' && ctx.protocol !== 'unix') throw forbidden('Only cluster members ask for instance states');
    const project = typeof body?.project === 'string' && body.project !== '' ? body.project : 'default';
    if (!Array.isArray(body?.names) || body.names.some((n) => typeof n !== 'string')) throw badRequest('names must be a list of instance names');
    const wanted = new Set(body.names as string[]);
    const records = (await this.store.list(project)).filter((r) => wanted.has(r.name) && r.nodeId === this.identity.node.id);
    return syncResponse(await this.states.local(records, body.full === true));
  }

  @Get('resources')
  resources(): ReturnType<typeof syncResponse<MemberResources>> {
    return syncResponse({
      memoryTotal: os.totalmem(),
      memoryUsed: memoryUsed(),
      cpuCount: os.cpus().length,
      cpuLoad: os.loadavg()[0],
    });
  }
}
