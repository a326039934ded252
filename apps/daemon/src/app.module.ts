import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiController } from './api.controller';
import { ClusterController } from './cluster/cluster.controller';
import { ClusterLeader } from './cluster/cluster-leader';
import { ClusterMembers } from './cluster/cluster-members';
import { Clustering } from './cluster/clustering.service';
import { InternalClusterController } from './cluster/internal-cluster.controller';
import { MemberUpdate } from './cluster/member-update';
import { PeerClient } from './cluster/peer-client';
import { ServerConfig } from './config-keys/server-config.service';
import { EventBus } from './events/event-bus';
import { EventMesh } from './events/event-mesh';
import { TrustGuard } from './http/trust.guard';
import { MemberIdentity } from './identity/member-identity';
import { InternalDatabaseController } from './internal/internal-database.controller';
import { InternalShutdownController } from './internal/internal-shutdown.controller';
import { InternalSqlController } from './internal/internal-sql.controller';
import { OperationsController } from './operations/operations.controller';
import { OperationsManager } from './operations/operations-manager';
import { ProfilesController } from './profiles/profiles.controller';
import { ProjectsController } from './projects/projects.controller';
import { ProfileStore } from './profiles/profile-store';
import { CertificatesController } from './trust/certificates.controller';
import { Tokens } from './trust/tokens';
import { TrustStore } from './trust/trust-store';

@Module({
  controllers: [
    ApiController,
    ClusterController,
    InternalClusterController,
    OperationsController,
    CertificatesController,
    ProfilesController,
    ProjectsController,
    InternalSqlController,
    InternalDatabaseController,
    InternalShutdownController,
  ],
  providers: [
    { provide: APP_GUARD, useClass: TrustGuard },
    TrustStore,
    EventBus,
    EventMesh,
    OperationsManager,
    MemberIdentity,
    ServerConfig,
    ClusterMembers,
    Clustering,
    ClusterLeader,
    MemberUpdate,
    PeerClient,
    Tokens,
    ProfileStore,
  ],
})
export class AppModule {}
