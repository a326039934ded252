import { Body, Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { certificateFingerprint, DbClosedError } from '@app/db';
import { Databases } from '../database/databases';
import { SyncResponse, syncResponse } from '../envelope';
import { badRequest, forbidden } from '../http/lxd-error';
import { AllowUntrusted, Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { MemberIdentity } from '../identity/member-identity';
import { type AdmissionReply, type AdmissionRequest, Clustering } from './clustering.service';
import { fromRaftMemberJson, type RaftMemberJson, rememberRaftMembers } from './raft-members';
import { isJsonObject } from '../http/json-object';

/** Member-to-member endpoints of clustering. */
@Controller('/internal/cluster')
export class InternalClusterController {
  private readonly logger = new Logger('Cluster');
  /** A refresh of this member's name that a heartbeat started and that has not ended yet. */
  private renaming?: Promise<void>;

  constructor(
    private readonly clustering: Clustering,
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
  ) {}

  /**
   * A server asks to be admitted. It is not trusted yet: it proves itself with a join token or the
   * trust password, and must present (over TLS) the certificate it asks the cluster to trust.
   */
  @Post('accept')
  @HttpCode(200)
  @AllowUntrusted()
  async accept(@Body() body: AdmissionRequest, @Ctx() ctx: RequestContext): Promise<SyncResponse<AdmissionReply>> {
    if (ctx.protocol === 'unix') throw badRequest('Members are admitted over HTTPS');
    if (!isJsonObject(body) || typeof body.certificate !== 'string') throw badRequest('The admission request lacks its certificate');
    if (ctx.protocol !== 'cluster') {
      let presented: string;
      try {
        presented = certificateFingerprint(body.certificate);
      } catch {
        throw badRequest('The admission request holds a certificate that cannot be read');
      }
      if (presented !== ctx.fingerprint) throw forbidden('The joining server must present the certificate it asks the cluster to trust');
    }
    return syncResponse(await this.clustering.admit(body));
  }

  /** The leader's heartbeat: this member is alive (its cluster database runs), and learns the Raft members. */
  @Post('heartbeat')
  @HttpCode(200)
  heartbeat(@Body() body: { members?: RaftMemberJson[] }, @Ctx() ctx: RequestContext): SyncResponse<Record<string, never>> {
    if (ctx.protocol !== 'cluster') throw forbidden('Only cluster members send heartbeats');
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    // A member whose cluster database stopped is not a working member: the leader records no
    // heartbeat for it, so it shows Offline, and warns with this message.
    const failure = this.databases.cluster.failure;
    if (failure) throw DbClosedError.stoppedBy(failure);
    if (Array.isArray(body?.members) && body.members.length > 0) {
      const nodes = body.members.map(fromRaftMemberJson);
      const self = this.databases.clusterState()?.self;
      // A heartbeat that no longer lists this member (it was removed) changes nothing here.
      const mine = self && nodes.find((n) => n.id === self.id);
      if (mine) {
        rememberRaftMembers(this.databases.local, this.databases, nodes);
        // Renamed while it could not be told: the leader's heartbeat carries the name it has now.
        if (mine.name !== '' && mine.name !== this.identity.name) this.refreshName();
      }
    }
    return syncResponse({});
  }

  /** This member was renamed: it reads its name again. */
  @Post('renamed')
  @HttpCode(200)
  async renamed(@Ctx() ctx: RequestContext): Promise<SyncResponse<Record<string, never>>> {
    if (ctx.protocol !== 'cluster') throw forbidden('Only cluster members can tell a member it was renamed');
    await this.identity.refresh();
    return syncResponse({});
  }

  /** This member was removed from the cluster by the leader. */
  @Post('removed')
  @HttpCode(200)
  async removed(@Ctx() ctx: RequestContext): Promise<SyncResponse<Record<string, never>>> {
    if (ctx.protocol !== 'cluster') throw forbidden('Only cluster members can tell a member it was removed');
    // Answer first: leaving closes the port the request came in on.
    setImmediate(() => {
      this.clustering.leave().catch((err: Error) => this.logger.error(`could not leave the cluster: ${err.message}`));
    });
    return syncResponse({});
  }

  private refreshName(): void {
    this.renaming ??= this.identity
      .refresh()
      .catch((err: Error) => this.logger.warn(`could not read this member's new name: ${err.message}`))
      .finally(() => (this.renaming = undefined));
  }
}
