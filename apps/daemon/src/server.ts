import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import { DynamicModule, LoggerService, LogLevel, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AppModule } from './app.module';
import { ClusterLeader } from './cluster/cluster-leader';
import { registerTargetForwarding } from './cluster/target-forwarding';
import { unixSocketPath } from './config';
import { ServerConfig } from './config-keys/server-config.service';
import { CoreModule } from './core.module';
import { DaemonControl } from './daemon-control';
import { Databases } from './database/databases';
import { EventBus } from './events/event-bus';
import { EventMesh } from './events/event-mesh';
import { registerEventRoutes } from './events/events-routes';
import { MemberIdentity } from './identity/member-identity';
import { loadOrCreateServerCertificate } from './identity/server-certificate';
import { ServerTls } from './identity/server-tls';
import { LxdExceptionFilter } from './lxd-exception.filter';
import { Endpoints } from './network/endpoints.provider';
import { NetworkEndpoints } from './network/network-endpoints';
import { OperationsManager } from './operations/operations-manager';
import { PeerClient } from './cluster/peer-client';
import { StateDir } from './identity/state-dir';
import { TrustStore } from './trust/trust-store';
import { registerImageUploadParsers, takesRawImageBody } from './images/http/image-upload-parsers';
import { ClusterMembers } from './cluster/cluster-members';
import { registerRawBodyParser } from './http/raw-body-parser';
import { jsonBodyParser } from './http/json-body';
import { lazySchemaCompilers } from './http/lazy-schema-compilers';
import { registerOperationWebsocketRoutes } from './operations/operation-websockets';
import { registerInstanceForwarding } from './instances/instance-forwarding';
import { InstanceStore } from './instances/instance-store';
import { jsonBody } from './envelope';

export interface DaemonOptions {
  /** State directory; created with mode 0711 if missing. The API socket is `<stateDir>/unix.socket`. */
  stateDir: string;
  /** Nest logger (false = silent, as in tests). */
  logger?: LoggerService | LogLevel[] | false;
  /** Root module; tests pass a module that adds routes around AppModule. */
  module?: Type<unknown>;
  /** Environment for database tuning (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the global database to be ready (default: as long as it takes). */
  databaseReadyTimeoutMs?: number;
  /** Told of problems that do not stop the daemon. */
  warn?: (message: string) => void;
  /** Called when a client asks the daemon to shut down (PUT /internal/shutdown). */
  onShutdownRequest?: () => void;
}

export interface Daemon {
  readonly app: NestFastifyApplication;
  readonly stateDir: string;
  readonly socketPath: string;
  readonly databases: Databases;
  /** Stops accepting connections, lets in-flight requests finish, and removes the socket. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the daemon: the member's certificate and databases, its HTTPS ports (the cluster's gRPC
 * service first, so that the cluster database can form), then, once the database is ready, the
 * API on the unix socket and on HTTPS.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const stateDir = options.stateDir;
  ensureStateDir(stateDir);
  const socketPath = unixSocketPath(stateDir);
  await removeStaleSocket(socketPath);
  const warn = options.warn ?? (() => undefined);

  const serverTls = await loadOrCreateServerCertificate(stateDir);
  const databases = await Databases.open({ stateDir, env: options.env, warn });
  // One HTTP server for the API, fed by the unix socket (it listens there) and by the HTTPS ports
  // (which hand it their HTTP/1.1 connections).
  const httpServer = http.createServer();
  const endpoints = new NetworkEndpoints(stateDir, databases, serverTls, httpServer, warn);
  try {
    await endpoints.start();
    await waitForDatabase(databases, options);
  } catch (err) {
    await endpoints.close();
    await databases.close();
    throw err;
  }

  const adapter = new FastifyAdapter({
    schemaController: { compilersFactory: lazySchemaCompilers() },
    serverFactory: (handler) => {
      httpServer.on('request', handler as unknown as http.RequestListener);
      return httpServer;
    },
  } as ConstructorParameters<typeof FastifyAdapter>[0]);

  let app: NestFastifyApplication;
  try {
    const control = new DaemonControl();
    if (options.onShutdownRequest) control.onShutdownRequest(options.onShutdownRequest);
    const core = CoreModule.register({ databases, stateDir: new StateDir(stateDir), serverTls: new ServerTls(serverTls), endpoints: new Endpoints(endpoints), control });
    app = await NestFactory.create<NestFastifyApplication>(RootModule.with(core, options.module ?? AppModule), adapter, {
      logger: options.logger ?? false,
      bodyParser: false, // replaced by registerJsonBodyParser below
      abortOnError: false, // throw on start-up errors instead of process.abort()
    });
  } catch (err) {
    await endpoints.close();
    await databases.close();
    throw err;
  }
  const fastify = app.getHttpAdapter().getInstance();
  fastify.setReplySerializer(jsonBody);
  app.useGlobalFilters(new LxdExceptionFilter((method, path) => fastify.findRoute({ method: method as 'GET', url: path }) !== null));
  registerJsonBodyParser(fastify);
  registerRawBodyParser(fastify, { takesRawBody: takesRawImageBody });
  registerImageUploadParsers(fastify);

  try {
    await app.register(fastifyWebsocket as never);
    registerEventRoutes(fastify, app.get(EventBus), app.get(TrustStore));
    registerOperationWebsocketRoutes(fastify, { operations: app.get(OperationsManager), databases, members: app.get(ClusterMembers), identity: app.get(MemberIdentity), peers: app.get(PeerClient), stateDir: app.get(StateDir) });
    registerTargetForwarding(fastify, { databases, identity: app.get(MemberIdentity), trust: app.get(TrustStore), peers: app.get(PeerClient) });
    registerInstanceForwarding(fastify, { databases, identity: app.get(MemberIdentity), trust: app.get(TrustStore), peers: app.get(PeerClient), store: app.get(InstanceStore) });
    await app.init();
    await app.get(MemberIdentity).start((err) => warn(`could not read this member's name from the cluster: ${err.message}`));
    app.get(ServerConfig).onChange(async (changed) => {
      if (changed.has('core.https_address') || changed.has('cluster.https_address')) await endpoints.reconfigure();
    });
    app.get(ClusterLeader).start();
    app.get(EventMesh).start();
    await app.listen({ path: socketPath });
    fs.chmodSync(socketPath, 0o660);
    endpoints.enableHttp();
  } catch (err) {
    await app.close().catch(() => undefined);
    await endpoints.close();
    await databases.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    stateDir,
    socketPath,
    databases,
    close: () =>
      (closing ??= (async () => {
        try {
          await handOverLeadership(databases, warn);
          app.get(OperationsManager).shutdown();
          await endpoints.close();
          await app.close();
        } finally {
          fs.rmSync(socketPath, { force: true });
          await databases.close();
        }
      })()),
  };
}

/** A leader that stops hands the leadership to a reachable voter first, so the cluster does not wait for an election. */
async function handOverLeadership(databases: Databases, warn: (message: string) => void): Promise<void> {
  if (!databases.clustered || !databases.cluster.driver.isLeader()) return;
  const db = databases.global;
  const st = db.status();
  const next = st.members.find((m) => m.id !== st.id && m.role === 'voter' && m.reachable);
  if (!next) return;
  try {
    await db.transferLeadership(next.id, 3000);
  } catch (err) {
    warn(`could not hand the database leadership to ${next.name || next.address} before stopping: ${(err as Error).message}`);
  }
}

/** The application around the root module, with what the daemon opened injectable. */
@Module({})
class RootModule {
  static with(core: DynamicModule, root: Type<unknown>): DynamicModule {
    return { module: RootModule, imports: [core, root] };
  }
}

/** Waits until the global database holds the current schema, telling `warn` every 10 s while it waits. */
async function waitForDatabase(databases: Databases, options: DaemonOptions): Promise<void> {
  const limit = options.databaseReadyTimeoutMs ?? Infinity;
  const started = Date.now();
  for (;;) {
    const left = limit - (Date.now() - started);
    try {
      await databases.cluster.ready(Math.min(10_000, left));
      return;
    } catch (err) {
      if (Date.now() - started >= limit || databases.cluster.driver.failure) throw err;
      options.warn?.(`waiting for the cluster database: ${(err as Error).message}`);
    }
  }
}

/**
 * Creates the state directory (mode 0711, independent of the umask) if it does not exist. An
 * existing one gets search permission for everybody (as LXD's): unprivileged containers, whose
 * root runs as a mapped uid, reach their root filesystems through it.
 */
export function ensureStateDir(dir: string): void {
  if (fs.existsSync(dir)) {
    const mode = fs.statSync(dir).mode & 0o7777;
    if ((mode & 0o111) !== 0o111) fs.chmodSync(dir, mode | 0o111);
    return;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
}

/**
 * Removes a socket left behind by a daemon that died. Refuses to start when another daemon still
 * answers on it, and never deletes something that is not a socket.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch {
    return; // nothing there
  }
  if (!stat.isSocket()) throw new Error(`${socketPath} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const conn = net.connect(socketPath);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another daemon is already listening on ${socketPath}`);
  fs.rmSync(socketPath, { force: true });
}

/**
 * LXD decodes every request body as JSON whatever its Content-Type (curl's default
 * `application/x-www-form-urlencoded` included), so one parser handles all content types.
 * An empty body parses to `undefined`; invalid JSON is a 400 (the error carries `statusCode`).
 */
function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parseJson = jsonBodyParser(fastify);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => parseJson(request, body as string, done));
}
