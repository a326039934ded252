import { Body, Controller, Get, Headers, Patch, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { certificateFingerprint } from '@app/db';
import { API_EXTENSIONS } from './api-extensions';
import { ServerConfig } from './config-keys/server-config.service';
import { Databases } from './database/databases';
import { readClusterTls } from './database/cluster-tls-files';
import { SyncResponse, syncResponse } from './envelope';
import { emitLifecycle } from './events/lifecycle';
import { EventBus } from './events/event-bus';
import { checkIfMatch, etagOf } from './http/etag';
import { badRequest } from './http/lxd-error';
import { AllowUntrusted, Ctx } from './http/request-decorators';
import type { RequestContext } from './http/request-context';
import { MemberIdentity } from './identity/member-identity';
import { ServerTls } from './identity/server-tls';
import { Endpoints } from './network/endpoints.provider';
import { ServerEnvironment, ServerInfo, serverEnvironment, serverInfo } from './server-info';
import { StateDir } from './identity/state-dir';
import { isJsonObject } from './http/json-object';

/** `/` and `/1.0`: the server's description and its configuration (GET, PUT, PATCH with ETag). */
@Controller()
export class ApiController {
  // Host facts do not change while the daemon runs; gather them once.
  private readonly environment: ServerEnvironment = serverEnvironment();

  constructor(
    private readonly config: ServerConfig,
    private readonly identity: MemberIdentity,
    private readonly databases: Databases,
    private readonly serverTls: ServerTls,
    private readonly endpoints: Endpoints,
    private readonly events: EventBus,
    private readonly stateDir: StateDir,
  ) {}

  @Get('/')
  @AllowUntrusted()
  root(): SyncResponse<string[]> {
    return syncResponse(['/1.0']);
  }

  @Get('/1.0')
  @AllowUntrusted()
  async server(@Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse<ServerInfo>> {
    const config = ctx.trusted ? await this.config.view() : {};
    if (ctx.trusted) reply.header('ETag', `"${etagOf(config)}"`);
    return syncResponse(serverInfo(ctx.trusted ? this.environmentNow() : this.untrustedEnvironment(), config, ctx.trusted, API_EXTENSIONS));
  }

  @Put('/1.0')
  async replace(@Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext): Promise<SyncResponse<Record<string, never>>> {
    await this.update(body, ifMatch, true, ctx);
    return syncResponse({});
  }

  @Patch('/1.0')
  async patch(@Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext): Promise<SyncResponse<Record<string, never>>> {
    await this.update(body, ifMatch, false, ctx);
    return syncResponse({});
  }

  private async update(body: unknown, ifMatch: string | undefined, replace: boolean, ctx: RequestContext): Promise<void> {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object with a "config" object');
    const config = (body as { config?: unknown }).config ?? {};
    if (ifMatch !== undefined) checkIfMatch(ifMatch, etagOf(await this.config.view()));
    await this.config.update(config as Record<string, unknown>, replace);
    emitLifecycle(this.events, 'config-updated', '/1.0', ctx);
  }

  private environmentNow(): ServerEnvironment {
    const clustered = this.databases.clustered;
    const cert = clustered ? readClusterTls(this.stateDir.path).certPem : this.serverTls.tls.certPem;
    return {
      ...this.environment,
      addresses: this.endpoints.addresses().map((a) => a.replace(/^\[::\]/, '')),
      server_clustered: clustered,
      server_name: this.identity.name,
      server_event_mode: 'full-mesh',
      certificate: cert,
      certificate_fingerprint: certificateFingerprint(cert),
      firewall: 'nftables',
    };
  }

  /** What an untrusted client may see: enough to decide whether to trust the server. */
  private untrustedEnvironment(): ServerEnvironment {
    const env = this.environmentNow();
    return { ...env, addresses: [], kernel: '', kernel_version: '', os_name: '', os_version: '', server_pid: 0 };
  }
}
