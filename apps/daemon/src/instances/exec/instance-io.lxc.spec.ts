/**
 * Exec and files with the real clients (Debian's lxc 5.0.2 and python3-pylxd) against a daemon whose
 * instances are real LXC containers: the checks of test/e2e/support/instance-io-checks.ts on a
 * running busybox container of the LXC driver. Needs root, lxc and busybox-static; everything it
 * creates (containers, directories, the daemon) is removed in afterAll, whatever failed.
 *
 * The daemon here has the core, the operations API and the exec and files routes, with the LXC
 * driver as the member's runtime; lxc reaches it on its unix socket and, as a remote, over HTTPS. Two stand-ins take the place of what the instances API provides:
 * GET /1.0/containers/<name> (pylxd looks the instance up first), and the API extensions that lxc
 * and pylxd check before some file operations, added to GET /1.0.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Controller, Get, Injectable, Module, type OnModuleInit, Param, type Type } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { LxcDriver } from '@app/runtime';
import { LxcTestEnvironment } from '@app/runtime/testing/lxc-test-environment';
import {
  checkEscapeRefused,
  checkExecExitCodes,
  checkExecOutput,
  checkExecSignalForwarding,
  checkExecStdin,
  checkExecUserCwdEnvironment,
  checkFilePushPull,
  checkInteractiveExec,
  checkPylxdExecute,
  checkPylxdFiles,
  checkRecursivePushPull,
  LxcClient,
} from '../../../../../test/e2e/support/instance-io-checks';
import { ApiController } from '../../api.controller';
import { ClusterLeader } from '../../cluster/cluster-leader';
import { ClusterMembers } from '../../cluster/cluster-members';
import { Clustering } from '../../cluster/clustering.service';
import { MemberUpdate } from '../../cluster/member-update';
import { PeerClient } from '../../cluster/peer-client';
import { ServerConfig } from '../../config-keys/server-config.service';
import { Databases } from '../../database/databases';
import { syncResponse } from '../../envelope';
import { EventBus } from '../../events/event-bus';
import { EventMesh } from '../../events/event-mesh';
import { notFound } from '../../http/lxd-error';
import { hasRawBodyParser, registerRawBodyParser } from '../../http/raw-body-parser';
import { takesRawImageBody } from '../../images/http/image-upload-parsers';
import { TrustGuard } from '../../http/trust.guard';
import { MemberIdentity } from '../../identity/member-identity';
import { StateDir } from '../../identity/state-dir';
import { registerOperationWebsocketRoutes } from '../../operations/operation-websockets';
import { OperationsController } from '../../operations/operations.controller';
import { OperationsManager } from '../../operations/operations-manager';
import { type Daemon, startDaemon } from '../../server';
import { ProjectsController } from '../../projects/projects.controller';
import { CertificatesController } from '../../trust/certificates.controller';
import { Tokens } from '../../trust/tokens';
import { TrustStore } from '../../trust/trust-store';
import { InstanceFilesController } from '../files/instance-files.controller';
import { InstanceRuntime, type LocalInstance } from '../instance-runtime';
import { InstanceStore } from '../instance-store';
import { ExecOutputController } from './exec-output.controller';
import { ExecOutputStore } from './exec-output-store';
import { InstanceExecController } from './instance-exec.controller';

jest.setTimeout(120_000);

/** The API extensions the clients check for the exec and file operations used here. */
const IO_EXTENSIONS = ['container_exec_recording', 'container_exec_signal_handling', 'container_exec_user_group_cwd', 'directory_manipulation', 'file_delete', 'file_append', 'file_symlinks', 'file_get_symlink', 'instance_file_head'];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** PATCH /1.0 with server config keys; the HTTP status. */
function configure(socketPath: string, config: Record<string, string>): Promise<number> {
  const body = Buffer.from(JSON.stringify({ config }));
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method: 'PATCH', path: '/1.0', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

class LxcInstances extends InstanceRuntime {
  readonly names = new Set<string>();

  constructor(readonly driver: LxcDriver) {
    super();
  }

  async local(project: string, name: string): Promise<LocalInstance> {
    if (project !== 'default' || !this.names.has(name)) throw notFound('Instance not found');
    return { project, name, runtimeName: name, driver: this.driver };
  }
}

@Controller('/1.0/containers')
class InstanceLookupStandIn {
  constructor(private readonly instances: InstanceRuntime) {}

  @Get(':name')
  async get(@Param('name') name: string) {
    await this.instances.local('default', name);
    return syncResponse({ name, status: 'Running', status_code: 103, type: 'container', config: {}, devices: {}, profiles: [], ephemeral: false, stateful: false });
  }
}

@Injectable()
class RawRoutes implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly operations: OperationsManager,
    private readonly databases: Databases,
    private readonly members: ClusterMembers,
    private readonly identity: MemberIdentity,
    private readonly peers: PeerClient,
    private readonly stateDir: StateDir,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    if (!hasRawBodyParser(fastify)) {
      // Until server.ts registers the raw body parser, the image upload parsers hold application/octet-stream.
      if (fastify.hasContentTypeParser('application/octet-stream')) fastify.removeContentTypeParser('application/octet-stream');
      registerRawBodyParser(fastify, { takesRawBody: takesRawImageBody });
    }
    if (!fastify.hasRoute({ method: 'GET', url: '/1.0/operations/:id/websocket' })) {
      const { operations, databases, members, identity, peers, stateDir } = this;
      registerOperationWebsocketRoutes(fastify, { operations, databases, members, identity, peers, stateDir });
    }
    fastify.addHook('onSend', async (request, _reply, payload) => {
      if (request.method !== 'GET' || request.url !== '/1.0' || typeof payload !== 'string') return payload;
      const envelope = JSON.parse(payload) as { metadata: { api_extensions: string[] } };
      const extensions = envelope.metadata.api_extensions;
      for (const extension of IO_EXTENSIONS) if (!extensions.includes(extension)) extensions.push(extension);
      return JSON.stringify(envelope);
    });
  }
}

function daemonModule(runtime: InstanceRuntime): Type<unknown> {
  @Module({
    controllers: [ApiController, CertificatesController, ProjectsController, OperationsController, InstanceExecController, ExecOutputController, InstanceFilesController, InstanceLookupStandIn],
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
      InstanceStore,
      ExecOutputStore,
      { provide: InstanceRuntime, useValue: runtime },
      RawRoutes,
    ],
  })
  class LiveIoTestModule {}
  return LiveIoTestModule;
}

describe('exec and files with lxc and pylxd, on LXC containers', () => {
  let env: LxcTestEnvironment | undefined;
  let daemon: Daemon | undefined;
  let lxc: LxcClient | undefined;
  let tmp: string | undefined;
  let name: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-io-lxc-'));
    env = await LxcTestEnvironment.create();
    const driver = env.driver('io');
    name = env.instanceName(driver, 'io');
    await driver.create({ name, imageDirectory: env.image.directory, privileged: false });
    await driver.start(name);
    const instances = new LxcInstances(driver);
    instances.names.add(name);
    const stateDir = path.join(tmp, 'state');
    daemon = await startDaemon({ stateDir, module: daemonModule(instances) });
    lxc = LxcClient.create(stateDir);
    // The same daemon over HTTPS too, as remote "cubed" (a client certificate trusted by password).
    const address = `127.0.0.1:${await freePort()}`;
    const configured = await configure(daemon.socketPath, { 'core.https_address': address, 'core.trust_password': 'sekret' });
    expect(configured).toBe(200);
    await lxc.addRemote('cubed', address, 'sekret');
  });

  afterAll(async () => {
    try {
      lxc?.cleanup();
      await daemon?.close();
    } finally {
      try {
        if (env) {
          await env.cleanup();
          expect(await env.leftoverCgroups()).toEqual([]);
        }
      } finally {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
  });

  it('lxc exec: output and exit status', () => checkExecOutput(lxc!, name));
  it('lxc exec: exit codes, stderr and a missing command', () => checkExecExitCodes(lxc!, name));
  it('lxc exec: standard input', () => checkExecStdin(lxc!, name));
  it('lxc exec: user, group, working directory and environment', () => checkExecUserCwdEnvironment(lxc!, name));
  it('lxc exec: signals forwarded to the command', () => checkExecSignalForwarding(lxc!, name));
  it('lxc exec -t: an interactive shell on a pty', () => checkInteractiveExec(lxc!, name));
  it('lxc file push/pull with mode and owner, and delete', () => checkFilePushPull(lxc!, name));
  it('lxc file push -r / pull -r of a directory', () => checkRecursivePushPull(lxc!, name));
  it('lxc file pull refuses escapes from the container', () => checkEscapeRefused(lxc!, name));
  it('lxc exec and file push/pull over HTTPS, through a remote', async () => {
    await checkExecOutput(lxc!, name, 'cubed');
    await checkExecStdin(lxc!, name, 'cubed');
    await checkFilePushPull(lxc!, name, 'cubed');
  });
  it('pylxd execute', () => checkPylxdExecute(daemon!.socketPath, name));
  it('pylxd files put/get/delete', () => checkPylxdFiles(daemon!.socketPath, name));
});
