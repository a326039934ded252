import { Controller, HttpCode, Put } from '@nestjs/common';
import { DaemonControl } from '../daemon-control';
import { SyncResponse, syncResponse } from '../envelope';
import { badRequest, forbidden } from '../http/lxd-error';
import { Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';

/** PUT /internal/shutdown (unix socket only): `cubed shutdown`. Answers with the pid of the daemon, which `cubed shutdown` waits for. */
@Controller('/internal/shutdown')
export class InternalShutdownController {
  constructor(private readonly control: DaemonControl) {}

  @Put()
  @HttpCode(200)
  shutdown(@Ctx() ctx: RequestContext): SyncResponse<{ pid: number }> {
    if (ctx.protocol !== 'unix') throw forbidden('The daemon can only be shut down through its unix socket');
    if (!this.control.requestShutdown()) throw badRequest('This daemon cannot be shut down through its API');
    return syncResponse({ pid: process.pid });
  }
}
