import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiController } from './api.controller';
import { ClusterController } from './cluster/cluster.controller';
import { ClusterGroupsController } from './cluster/cluster-groups.controller';
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
import { ProfileUsers } from './profiles/profile-users';
import { CertificatesController } from './trust/certificates.controller';
import { WarningsController } from './warnings/warnings.controller';
import { WarningStore } from './warnings/warning-store';
import { Tokens } from './trust/tokens';
import { TrustStore } from './trust/trust-store';
import { IMAGE_CONTROLLERS, IMAGE_PROVIDERS } from './images/images.module';
import { ImagesForInstances } from './instances/images-for-instances';
import { HostRuntime } from './instances/host-runtime';
import { InstanceImages } from './instances/instance-images';
import { InstanceAutostart } from './instances/instance-autostart';
import { InstanceCreation } from './instances/instance-creation';
import { InstanceLifecycle } from './instances/instance-lifecycle';
import { InstanceNics } from './instances/instance-nics';
import { InstancePlacement } from './instances/instance-placement';
import { InstanceReader } from './instances/instance-reader';
import { InstanceRuntime } from './instances/instance-runtime';
import { InstanceSnapshots } from './instances/instance-snapshots';
import { InstanceStates } from './instances/instance-states';
import { InstanceStore } from './instances/instance-store';
import { InstanceUpdates } from './instances/instance-updates';
import { InstancesController } from './instances/instances.controller';
import { ExecOutputController } from './instances/exec/exec-output.controller';
import { ExecOutputStore } from './instances/exec/exec-output-store';
import { InstanceExecController } from './instances/exec/instance-exec.controller';
import { InstanceFilesController } from './instances/files/instance-files.controller';
import { InternalInstancesController } from './instances/internal-instances.controller';
import { NicAddressing } from './instances/nic-addressing';
import { LocalPools } from './storage/local-pools';
import { NetworkSubnets } from './instances/network-subnets';
import { FanNetworks } from './networks/fan-networks';
import { InternalNetworksController } from './networks/internal-networks.controller';
import { NetworkMembers } from './networks/network-members';
import { NetworkStore } from './networks/network-store';
import { NetworksController } from './networks/networks.controller';
import { StoragePoolStore } from './storage/storage-pool-store';
import { StoragePoolsController } from './storage/storage-pools.controller';

@Module({
  controllers: [
    ApiController,
    ClusterController,
    ClusterGroupsController,
    InternalClusterController,
    OperationsController,
    CertificatesController,
    ProfilesController,
    ProjectsController,
    InternalSqlController,
    InternalDatabaseController,
    InternalShutdownController,
    StoragePoolsController,
    ...IMAGE_CONTROLLERS,
    InstanceExecController,
    ExecOutputController,
    InstanceFilesController,
    InstancesController,
    InternalInstancesController,
    NetworksController,
    InternalNetworksController,
    WarningsController,
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
    WarningStore,
    MemberUpdate,
    PeerClient,
    Tokens,
    ProfileStore,
    ProfileUsers,
    StoragePoolStore,
    LocalPools,
    ...IMAGE_PROVIDERS,
    { provide: InstanceImages, useClass: ImagesForInstances },
    InstanceStore,
    HostRuntime,
    { provide: InstanceRuntime, useExisting: HostRuntime },
    InstanceStates,
    InstanceReader,
    NetworkStore,
    FanNetworks,
    { provide: NetworkSubnets, useExisting: FanNetworks },
    NetworkMembers,
    NicAddressing,
    InstanceNics,
    InstancePlacement,
    InstanceCreation,
    InstanceLifecycle,
    InstanceUpdates,
    InstanceSnapshots,
    InstanceAutostart,
    ExecOutputStore,
  ],
})
export class AppModule {}
