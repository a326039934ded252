import { Controller, HttpCode, Post } from '@nestjs/common';
import { syncResponse } from '../envelope';
import { forbidden } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { FanNetworks } from './fan-networks';

/** A member asks another to bring its networks in line with the database now. */
@Controller('/internal/networks')
export class InternalNetworksController {
  constructor(private readonly fan: FanNetworks) {}

  @Post('sync')
  @HttpCode(200)
  async sync(@Ctx() ctx: RequestContext) {
    if (ctx.protocol !== 'cluster' && ctx.protocol !== 'unix') throw forbidden('Only cluster members ask for network reconciliation');
    return syncResponse({ errors: await this.fan.syncNow() });
  }
}
