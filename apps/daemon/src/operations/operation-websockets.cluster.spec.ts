/**
 * The websockets of an operation that runs on another member: two daemons in a cluster (bootstrapped
 * and joined through the API, on loopback ports), an exec created on the second one, and its
 * websockets opened on the first one, which relays them to the second over HTTPS with the cluster
 * certificate.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ExecRequest, type FakeExecIo, FakeRuntimeDriver } from '@app/runtime';
import { ClusterController } from '../cluster/cluster.controller';
import { InternalClusterController } from '../cluster/internal-cluster.controller';
import { encodeToken } from '../cluster/join-token';
import { ExecOutputStore } from '../instances/exec/exec-output-store';
import { InstanceExecController } from '../instances/exec/instance-exec.controller';
import type { InstanceRuntime } from '../instances/instance-runtime';
import { InternalDatabaseController } from '../internal/internal-database.controller';
import type { Daemon } from '../server';
import { LocalPools } from '../storage/local-pools';
import { StoragePoolStore } from '../storage/storage-pool-store';
import { DriverInstances, freePort, requestJson, startInstanceIoDaemon, waitFor, WebsocketClient } from '../testing/instance-io-test-daemon';
import { CertificatesController } from '../trust/certificates.controller';
import { OperationsController } from './operations.controller';

jest.setTimeout(60_000);

/** A member: the core, clustering, the operations API and exec, on `runtime`. */
function startMember(stateDir: string, runtime: InstanceRuntime): Promise<Daemon> {
  return startInstanceIoDaemon(stateDir, {
    runtime,
    controllers: [ClusterController, InternalClusterController, InternalDatabaseController, CertificatesController, OperationsController, InstanceExecController],
    providers: [StoragePoolStore, LocalPools, ExecOutputStore],
  });
}

async function finished(socketPath: string, started: { json: { metadata: { id: string } } }): Promise<{ status: string; err: string }> {
  return (await requestJson(socketPath, 'GET', `/1.0/operations/${started.json.metadata.id}/wait?timeout=30`)).json.metadata;
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
    const runtimes = [new DriverInstances(new FakeRuntimeDriver()), new DriverInstances(remoteDriver)];
    const addresses = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    for (const [i, runtime] of runtimes.entries()) {
      daemons.push(await startMember(path.join(tmp, `m${i + 1}`), runtime));
      expect((await requestJson(daemons[i].socketPath, 'PATCH', '/1.0', { config: { 'core.https_address': addresses[i] } })).status).toBe(200);
    }
    const [first, second] = daemons.map((d) => d.socketPath);
    expect(await finished(first, await requestJson(first, 'PUT', '/1.0/cluster', { server_name: 'm1', enabled: true }))).toMatchObject({ status: 'Success' });
    const token = (await requestJson(first, 'POST', '/1.0/cluster/members', { server_name: 'm2' })).json.metadata.metadata;
    const encoded = encodeToken({ server_name: token.serverName, fingerprint: token.fingerprint, addresses: token.addresses, secret: token.secret, expires_at: token.expiresAt });
    const join = await requestJson(second, 'PUT', '/1.0/cluster', { server_name: 'm2', enabled: true, server_address: addresses[1], cluster_token: encoded });
    // What matters here is a cluster of two members that see each other.
    await finished(second, join);
    await waitFor(async () => {
      const views = await Promise.all([first, second].map((socketPath) => requestJson(socketPath, 'GET', '/1.0/cluster/members?recursion=1')));
      const names = await Promise.all([first, second].map(async (socketPath) => (await requestJson(socketPath, 'GET', '/1.0')).json.metadata.environment.server_name));
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
    const started = await requestJson(second, 'POST', '/1.0/instances/c1/exec', { command: ['cat'], 'wait-for-websocket': true });
    expect(started.status).toBe(202);
    const op = started.json.metadata;
    expect(op.location).toBe('m2');
    const ws = (fd: string) => `/1.0/operations/${op.id}/websocket?secret=${op.metadata.fds[fd]}`;
    // Through the first member: it does not have the operation.
    const [control, stdin, stdout, stderr] = await Promise.all(['control', '0', '1', '2'].map((fd) => WebsocketClient.open(first, ws(fd))));
    stdin.sendBinary('through the first member\n');
    stdin.sendBarrier();
    await waitFor(() => [stdout, stderr].every((c) => c.messages.some((m) => !m.binary)), 'the barriers');
    expect(stdout.received()).toBe('through the first member\n');
    expect(stderr.received()).toBe('done\n');
    const done = (await requestJson(first, 'GET', `/1.0/operations/${op.id}/wait?timeout=10`)).json.metadata;
    expect(done).toMatchObject({ status: 'Success', metadata: { return: 6 } });
    await waitFor(() => [control, stdin, stdout, stderr].every((c) => c.closed), 'the closes');
  });

  it("passes the other member's refusals on, and answers 404 for an operation no member has", async () => {
    const [first, second] = daemons.map((d) => d.socketPath);
    const op = (await requestJson(second, 'POST', '/1.0/instances/c1/exec', { command: ['cat'], 'wait-for-websocket': true })).json.metadata;
    await expect(WebsocketClient.open(first, `/1.0/operations/${op.id}/websocket?secret=${'0'.repeat(64)}`)).rejects.toMatchObject({ status: 403, body: expect.stringContaining('Forbidden') });
    await expect(WebsocketClient.open(first, `/1.0/operations/${op.id}/websocket`)).rejects.toMatchObject({ status: 400, body: expect.stringContaining('missing secret') });
    await expect(WebsocketClient.open(first, `/1.0/operations/00000000-0000-4000-8000-000000000000/websocket?secret=x`)).rejects.toMatchObject({ status: 404, body: expect.stringContaining('Operation not found') });
    const clients = await Promise.all(['0', '1', '2'].map((fd) => WebsocketClient.open(first, `/1.0/operations/${op.id}/websocket?secret=${op.metadata.fds[fd]}`)));
    clients[0].sendBarrier();
    expect((await requestJson(first, 'GET', `/1.0/operations/${op.id}/wait?timeout=10`)).json.metadata).toMatchObject({ status: 'Success' });
  });
});
