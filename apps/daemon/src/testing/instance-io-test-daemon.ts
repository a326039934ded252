/**
 * A daemon for the tests of instance I/O (exec, files, operation websockets): the core that
 * startDaemon needs, the instance store, the controllers a test names and a given InstanceRuntime,
 * with clients for its unix socket (HTTP requests and websockets).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { Module, type Provider, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import WebSocket from 'ws';
import type { RuntimeDriver } from '@app/runtime';
import { ApiController } from '../api.controller';
import { ClusterLeader } from '../cluster/cluster-leader';
import { WarningStore } from '../warnings/warning-store';
import { ClusterMembers } from '../cluster/cluster-members';
import { Clustering } from '../cluster/clustering.service';
import { MemberUpdate } from '../cluster/member-update';
import { PeerClient } from '../cluster/peer-client';
import { ServerConfig } from '../config-keys/server-config.service';
import { EventBus } from '../events/event-bus';
import { EventMesh } from '../events/event-mesh';
import { notFound } from '../http/lxd-error';
import { TrustGuard } from '../http/trust.guard';
import { MemberIdentity } from '../identity/member-identity';
import { InstanceRuntime, type LocalInstance } from '../instances/instance-runtime';
import { InstanceStore } from '../instances/instance-store';
import { OperationsManager } from '../operations/operations-manager';
import { type Daemon, startDaemon } from '../server';
import { Tokens } from '../trust/tokens';
import { TrustStore } from '../trust/trust-store';

// ---------------------------------------------------------------------------------------------
// The daemon

/**
 * The instances of one runtime driver, in project "default" under their runtime names: those that
 * `exists` accepts, by default every instance the driver lists.
 */
export class DriverInstances extends InstanceRuntime {
  constructor(
    readonly driver: RuntimeDriver,
    private readonly exists: (name: string) => boolean | Promise<boolean> = async (name) => (await driver.list()).includes(name),
  ) {
    super();
  }

  async local(project: string, name: string): Promise<LocalInstance> {
    if (project !== 'default' || !(await this.exists(name))) throw notFound('Instance not found');
    return { project, name, runtimeName: name, driver: this.driver };
  }
}

export interface InstanceIoModuleOptions {
  /** The member's instances. */
  runtime: InstanceRuntime;
  /** The routes under test; GET /1.0 (ApiController) is always there. */
  controllers: Type<unknown>[];
  /** Providers those controllers need beyond the core and the instance store. */
  providers?: Provider[];
}

/** The providers that startDaemon takes from its module (and what they need), with the trust guard. */
const CORE_PROVIDERS: Provider[] = [
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
  InstanceStore,
];

/** A root module for startDaemon: the core, the given controllers and providers, and `runtime`. */
export function instanceIoModule(options: InstanceIoModuleOptions): Type<unknown> {
  @Module({
    controllers: [ApiController, ...options.controllers],
    providers: [...CORE_PROVIDERS, ...(options.providers ?? []), { provide: InstanceRuntime, useValue: options.runtime }],
  })
  class InstanceIoTestModule {}
  return InstanceIoTestModule;
}

/** Starts a daemon in `stateDir` with the module of instanceIoModule. */
export function startInstanceIoDaemon(stateDir: string, options: InstanceIoModuleOptions): Promise<Daemon> {
  return startDaemon({ stateDir, module: instanceIoModule(options) });
}

// ---------------------------------------------------------------------------------------------
// Clients

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the assertions
  json: any;
}

/**
 * A request on the daemon's unix socket. A body is sent as is, with Content-Length unless `headers`
 * ask for chunks (as lxc sends a symlink's target).
 */
export function request(socketPath: string, method: string, urlPath: string, body?: Buffer | string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(body);
  const length = headers['Transfer-Encoding'] === 'chunked' ? {} : { 'Content-Length': payload?.length ?? 0 };
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, agent: false, headers: { ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A request with `body`, if any, sent as JSON (Content-Type application/json). */
export function requestJson(socketPath: string, method: string, urlPath: string, body?: unknown, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  if (body === undefined) return request(socketPath, method, urlPath, undefined, headers);
  return request(socketPath, method, urlPath, JSON.stringify(body), { 'Content-Type': 'application/json', ...headers });
}

/** A websocket to the daemon, with everything it receives kept in order. */
export class WebsocketClient {
  readonly messages: { data: Buffer; binary: boolean }[] = [];
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, binary: boolean) => {
      this.messages.push({ data, binary });
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Opens `urlPath` on the unix socket; a refusal rejects with its HTTP `status` and `body`. */
  static open(socketPath: string, urlPath: string): Promise<WebsocketClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws+unix://${socketPath}:${urlPath}`);
      socket.once('open', () => resolve(new WebsocketClient(socket)));
      socket.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') })));
      });
      socket.once('error', reject);
    });
  }

  /** The binary messages received so far, as text. */
  received(): string {
    return Buffer.concat(this.messages.filter((m) => m.binary).map((m) => m.data)).toString('utf8');
  }

  /** The bytes received before the barrier (an empty text message); waits for it. */
  async untilBarrier(): Promise<string> {
    await this.until(() => this.messages.some((m) => !m.binary) || this.closed);
    const end = this.messages.findIndex((m) => !m.binary);
    if (end < 0) throw new Error('closed without a barrier');
    return Buffer.concat(this.messages.slice(0, end).map((m) => m.data)).toString('utf8');
  }

  async untilClosed(): Promise<void> {
    await this.until(() => this.closed);
  }

  sendBinary(text: string): void {
    this.socket.send(Buffer.from(text), { binary: true });
  }

  sendBarrier(): void {
    this.socket.send('', { binary: false });
  }

  sendControl(message: unknown): void {
    this.socket.send(JSON.stringify(message), { binary: false });
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (done()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    waiting.forEach((w) => w());
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting and ports

/** Polls `condition` every 10 ms; throws after `timeoutMs`, naming `what`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
