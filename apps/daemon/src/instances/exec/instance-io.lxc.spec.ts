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
import * as os from 'node:os';
import * as path from 'node:path';
import { Controller, Get, Injectable, type OnModuleInit, Param } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
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
import { syncResponse } from '../../envelope';
import { OperationsController } from '../../operations/operations.controller';
import { ProjectsController } from '../../projects/projects.controller';
import type { Daemon } from '../../server';
import { DriverInstances, freePort, requestJson, startInstanceIoDaemon } from '../../testing/instance-io-test-daemon';
import { CertificatesController } from '../../trust/certificates.controller';
import { InstanceFilesController } from '../files/instance-files.controller';
import { InstanceRuntime } from '../instance-runtime';
import { ExecOutputController } from './exec-output.controller';
import { ExecOutputStore } from './exec-output-store';
import { InstanceExecController } from './instance-exec.controller';

jest.setTimeout(120_000);

/** The API extensions the clients check for the exec and file operations used here. */
const IO_EXTENSIONS = ['container_exec_recording', 'container_exec_signal_handling', 'container_exec_user_group_cwd', 'directory_manipulation', 'file_delete', 'file_append', 'file_symlinks', 'file_get_symlink', 'instance_file_head'];

@Controller('/1.0/containers')
class InstanceLookupStandIn {
  constructor(private readonly instances: InstanceRuntime) {}

  @Get(':name')
  async get(@Param('name') name: string) {
    await this.instances.local('default', name);
    return syncResponse({ name, status: 'Running', status_code: 103, type: 'container', config: {}, devices: {}, profiles: [], ephemeral: false, stateful: false });
  }
}

/** Adds IO_EXTENSIONS to the API extensions of GET /1.0. */
@Injectable()
class IoExtensionsStandIn implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (request, _reply, payload) => {
      if (request.method !== 'GET' || request.url !== '/1.0' || typeof payload !== 'string') return payload;
      const envelope = JSON.parse(payload) as { metadata: { api_extensions: string[] } };
      const extensions = envelope.metadata.api_extensions;
      for (const extension of IO_EXTENSIONS) if (!extensions.includes(extension)) extensions.push(extension);
      return JSON.stringify(envelope);
    });
  }
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
    const stateDir = path.join(tmp, 'state');
    daemon = await startInstanceIoDaemon(stateDir, {
      runtime: new DriverInstances(driver, (instance) => instance === name),
      controllers: [CertificatesController, ProjectsController, OperationsController, InstanceExecController, ExecOutputController, InstanceFilesController, InstanceLookupStandIn],
      providers: [ExecOutputStore, IoExtensionsStandIn],
    });
    lxc = LxcClient.create(stateDir);
    // The same daemon over HTTPS too, as remote "cubed" (a client certificate trusted by password).
    const address = `127.0.0.1:${await freePort()}`;
    const configured = await requestJson(daemon.socketPath, 'PATCH', '/1.0', { config: { 'core.https_address': address, 'core.trust_password': 'sekret' } });
    expect(configured.status).toBe(200);
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
