import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { DynamicModule, LoggerService, LogLevel, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AppModule } from './app.module';
import { unixSocketPath } from './config';
import { Databases, openDatabases } from './database/databases';
import { DatabasesModule } from './database/databases.module';
import { LxdExceptionFilter } from './lxd-exception.filter';

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
  /** Told of database problems that do not stop the daemon. */
  warn?: (message: string) => void;
}

export interface Daemon {
  readonly app: NestFastifyApplication;
  readonly stateDir: string;
  readonly socketPath: string;
  readonly databases: Databases;
  /** Stops accepting connections, lets in-flight requests finish, and removes the socket. Idempotent. */
  close(): Promise<void>;
}

/** Starts the daemon's API on the unix socket and resolves once it accepts connections. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const stateDir = options.stateDir;
  ensureStateDir(stateDir);
  const socketPath = unixSocketPath(stateDir);
  await removeStaleSocket(socketPath);

  const databases = await openDatabases({ stateDir, env: options.env, warn: options.warn });
  try {
    await waitForDatabase(databases, options);
  } catch (err) {
    await databases.close();
    throw err;
  }

  // One Fastify instance serving a plain HTTP server on the unix socket. The HTTPS listener for remote
  // clients (and cluster members) will be created here as well and share the same request handler.
  const adapter = new FastifyAdapter({
    serverFactory: (fastifyHandler) => http.createServer(fastifyHandler as unknown as http.RequestListener),
  } as ConstructorParameters<typeof FastifyAdapter>[0]);

  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(RootModule.with(databases, options.module ?? AppModule), adapter, {
      logger: options.logger ?? false,
      bodyParser: false, // replaced by registerJsonBodyParser below
      abortOnError: false, // throw on start-up errors instead of process.abort()
    });
  } catch (err) {
    await databases.close();
    throw err;
  }
  app.useGlobalFilters(new LxdExceptionFilter());
  registerJsonBodyParser(app.getHttpAdapter().getInstance());

  try {
    await app.listen({ path: socketPath });
    fs.chmodSync(socketPath, 0o660);
  } catch (err) {
    await app.close().catch(() => undefined);
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
          await app.close();
        } finally {
          fs.rmSync(socketPath, { force: true });
          await databases.close();
        }
      })()),
  };
}

/** The application around the root module, with the databases injectable. */
@Module({})
class RootModule {
  static with(databases: Databases, root: Type<unknown>): DynamicModule {
    return { module: RootModule, imports: [DatabasesModule.register(databases), root] };
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

/** Creates the state directory (mode 0711, independent of the umask) if it does not exist. */
export function ensureStateDir(dir: string): void {
  if (fs.existsSync(dir)) return;
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
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
