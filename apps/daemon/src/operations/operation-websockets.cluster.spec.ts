/**
 * The websockets of an operation that runs on another member: two daemons in a cluster (bootstrapped
 * and joined through the API, on loopback ports), an exec created on the second one, and its
 * websockets opened on the first one, which relays them to the second over HTTPS with the cluster
 * certificate.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Injectable, Module, type OnModuleInit, type Type } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { type ExecRequest, type FakeExecIo, FakeRuntimeDriver } from '@app/runtime';
import { ApiController } from '../api.controller';
import { ClusterLeader } from '../cluster/cluster-leader';
import { ClusterMembers } from '../cluster/cluster-members';
import { ClusterController } from '../cluster/cluster.controller';
import { Clustering } from '../cluster/clustering.service';
import { InternalClusterController } from '../cluster/internal-cluster.controller';
import { encodeToken } from '../cluster/join-token';
import { MemberUpdate } from '../cluster/member-update';
import { PeerClient } from '../cluster/peer-client';
import { ServerConfig } from '../config-keys/server-config.service';
import { Databases } from '../database/databases';
import { EventBus } from '../events/event-bus';
import { EventMesh } from '../events/event-mesh';
import { notFound } from '../http/lxd-error';
import { TrustGuard } from '../http/trust.guard';
import { MemberIdentity } from '../identity/member-identity';
import { StateDir } from '../identity/state-dir';
import { ExecOutputStore } from '../instances/exec/exec-output-store';
import { InstanceExecController } from '../instances/exec/instance-exec.controller';
import { InstanceRuntime, type LocalInstance } from '../instances/instance-runtime';
import { InstanceStore } from '../instances/instance-store';
import { InternalDatabaseController } from '../internal/internal-database.controller';
import { type Daemon, startDaemon } from '../server';
import { LocalPools } from '../storage/local-pools';
import { StoragePoolStore } from '../storage/storage-pool-store';
import { CertificatesController } from '../trust/certificates.controller';
import { Tokens } from '../trust/tokens';
import { TrustStore } from '../trust/trust-store';
import { registerOperationWebsocketRoutes } from './operation-websockets';
import { OperationsController } from './operations.controller';
import { OperationsManager } from './operations-manager';

jest.setTimeout(60_000);

class FakeInstances extends InstanceRuntime {
  constructor(readonly driver: FakeRuntimeDriver) {
    super();
  }

  async local(project: string, name: string): Promise<LocalInstance> {
    if (project !== 'default' || !(await this.driver.list()).includes(name)) throw notFound('Instance not found');
    return { project, name, runtimeName: name, driver: this.driver };
  }
}

@Injectable()
class WebsocketRoutes implements OnModuleInit {
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
    if (fastify.hasRoute({ method: 'GET', url: '/1.0/operations/:id/websocket' })) return;
    const { operations, databases, members, identity, peers, stateDir } = this;
    registerOperationWebsocketRoutes(fastify, { operations, databases, members, identity, peers, stateDir });
  }
}

function memberModule(runtime: InstanceRuntime): Type<unknown> {
  @Module({
    controllers: [ApiController, ClusterController, InternalClusterController, InternalDatabaseController, CertificatesController, OperationsController, InstanceExecController],
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
      StoragePoolStore,
      LocalPools,
      InstanceStore,
      ExecOutputStore,
      { provide: InstanceRuntime, useValue: runtime },
      WebsocketRoutes,
    ],
  })
  class ClusterMemberTestModule {}
  return ClusterMemberTestModule;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the assertions
async function call(socketPath: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: any }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, agent: false, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function finished(socketPath: string, started: { json: { metadata: { id: string } } }): Promise<{ status: string; err: string }> {
  return (await call(socketPath, 'GET', `/1.0/operations/${started.json.metadata.id}/wait?timeout=30`)).json.metadata;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Received {
  text: string;
  barrier: boolean;
  closed: boolean;
}

function open(socketPath: string, urlPath: string): Promise<{ socket: WebSocket; received: Received }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws+unix://${socketPath}:${urlPath}`);
    const received: Received = { text: '', barrier: false, closed: false };
    socket.on('message', (data: Buffer, binary: boolean) => {
      if (binary) received.text += data.toString('utf8');
      else received.barrier = true;
    });
    socket.on('close', () => (received.closed = true));
    socket.once('open', () => resolve({ socket, received }));
    socket.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') })));
    });
    socket.once('error', reject);
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function fakeCommand(_instance: string, request: ExecRequest, io: FakeExecIo): Promise<number> {
  if (request.command[0] === 'cat') {
    for await (const chunk of io.stdin) io.stdout.write(chunk as Buffer);
    io.stderr.write('done\n');
    return 6;
  }
  io.stderr.write(`${request.command[0]}: not found\n`);
  return 127;
}

describe('operation websockets of another member', () => {
  let tmp: string;
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-opws-'));
    const remoteDriver = new FakeRuntimeDriver({ execHandler: fakeCommand });
    remoteDriver.addImage('/images/busybox', { architecture: 'x86_64' });
    await remoteDriver.create({ name: 'c1', imageDirectory: '/images/busybox', privileged: false });
    await remoteDriver.start('c1');
    const runtimes = [new FakeInstances(new FakeRuntimeDriver()), new FakeInstances(remoteDriver)];
    const addresses = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    for (const [i, runtime] of runtimes.entries()) {
      daemons.push(await startDaemon({ stateDir: path.join(tmp, `m${i + 1}`), module: memberModule(runtime) }));
      expect((await call(daemons[i].socketPath, 'PATCH', '/1.0', { config: { 'core.https_address': addresses[i] } })).status).toBe(200);
    }
    const [first, second] = daemons.map((d) => d.socketPath);
    expect(await finished(first, await call(first, 'PUT', '/1.0/cluster', { server_name: 'm1', enabled: true }))).toMatchObject({ status: 'Success' });
    const token = (await call(first, 'POST', '/1.0/cluster/members', { server_name: 'm2' })).json.metadata.metadata;
    const encoded = encodeToken({ server_name: token.serverName, fingerprint: token.fingerprint, addresses: token.addresses, secret: token.secret, expires_at: token.expiresAt });
    const join = await call(second, 'PUT', '/1.0/cluster', { server_name: 'm2', enabled: true, server_address: addresses[1], cluster_token: encoded });
    // What matters here is a cluster of two members that see each other.
    await finished(second, join);
    await until(async () => {
      const views = await Promise.all([first, second].map((socketPath) => call(socketPath, 'GET', '/1.0/cluster/members?recursion=1')));
      const names = await Promise.all([first, second].map(async (socketPath) => (await call(socketPath, 'GET', '/1.0')).json.metadata.environment.server_name));
      const online = views.every((view) => Array.isArray(view.json.metadata) && view.json.metadata.filter((m: { status: string }) => m.status === 'Online').length === 2);
      return online && names.join() === 'm1,m2';
    }, 'both members online under their names');
  });

  afterAll(async () => {
    for (const daemon of daemons.reverse()) await daemon.close().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('relays every websocket of an exec on the other member, both ways, with the barriers and the close', async () => {
    const [first, second] = daemons.map((d) => d.socketPath);
    const started = await call(second, 'POST', '/1.0/instances/c1/exec', { command: ['cat'], 'wait-for-websocket': true });
    expect(started.status).toBe(202);
    const op = started.json.metadata;
    expect(op.location).toBe('m2');
    const ws = (fd: string) => `/1.0/operations/${op.id}/websocket?secret=${op.metadata.fds[fd]}`;
    // Through the first member: it does not have the operation.
    const [control, stdin, stdout, stderr] = await Promise.all([open(first, ws('control')), open(first, ws('0')), open(first, ws('1')), open(first, ws('2'))]);
    stdin.socket.send(Buffer.from('through the first member\n'), { binary: true });
    stdin.socket.send('', { binary: false });
    await until(() => stdout.received.barrier && stderr.received.barrier, 'the barriers');
    expect(stdout.received.text).toBe('through the first member\n');
    expect(stderr.received.text).toBe('done\n');
    const done = (await call(first, 'GET', `/1.0/operations/${op.id}/wait?timeout=10`)).json.metadata;
    expect(done).toMatchObject({ status: 'Success', metadata: { return: 6 } });
    await until(() => [control, stdin, stdout, stderr].every((c) => c.received.closed), 'the closes');
  });

  it("passes the other member's refusals on, and answers 404 for an operation no member has", async () => {
    const [first, second] = daemons.map((d) => d.socketPath);
    const op = (await call(second, 'POST', '/1.0/instances/c1/exec', { command: ['cat'], 'wait-for-websocket': true })).json.metadata;
    await expect(open(first, `/1.0/operations/${op.id}/websocket?secret=${'0'.repeat(64)}`)).rejects.toMatchObject({ status: 403, body: expect.stringContaining('Forbidden') });
    await expect(open(first, `/1.0/operations/${op.id}/websocket`)).rejects.toMatchObject({ status: 400, body: expect.stringContaining('missing secret') });
    await expect(open(first, `/1.0/operations/00000000-0000-4000-8000-000000000000/websocket?secret=x`)).rejects.toMatchObject({ status: 404, body: expect.stringContaining('Operation not found') });
    const clients = await Promise.all(['0', '1', '2'].map((fd) => open(first, `/1.0/operations/${op.id}/websocket?secret=${op.metadata.fds[fd]}`)));
    clients[0].socket.send('', { binary: false });
    expect((await call(first, 'GET', `/1.0/operations/${op.id}/wait?timeout=10`)).json.metadata).toMatchObject({ status: 'Success' });
  });
});
