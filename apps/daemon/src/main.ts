// First: the modules imported below are compiled through the cache.
import { compileCache } from './compile-cache';
import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { stateDir, unixSocketPath } from './config';
import type { Daemon } from './server';
import { packageVersion } from './version';
import { processRecoveryIo } from './recovery/process-recovery-io';
import { registerRecoveryCommands } from './recovery/recovery-commands';
import { shutdownDaemon } from './shutdown-command';
import { waitReady } from './waitready';

// The daemon (NestJS, every controller, the database library) and the init and sql commands are
// loaded by the commands that run them: `cubed init`, `waitready`, `shutdown`, `sql` and the
// recovery commands start in a fraction of the daemon's load time.

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function runDaemon(): Promise<void> {
  const [{ DaemonLogger }, { startDaemon }] = await Promise.all([import('./daemon-logger'), import('./server')]);
  const logger = new DaemonLogger();
  const dir = stateDir();
  let daemon: Daemon | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals | 'shutdown request') => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting for shutdown`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    // The other members learn at once that this one is going, before anything else stops.
    daemon?.databases.cluster.prepareToStop();
    (daemon ? daemon.close() : Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('unhandledRejection', (err) => logger.error(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
  try {
    daemon = await startDaemon({ stateDir: dir, logger, warn: (message) => logger.warn(message), onShutdownRequest: () => stop('shutdown request') });
  } catch (err) {
    logger.error(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    return;
  }
  if (stopping) {
    await daemon.close();
    return;
  }
  logger.log(`cubed ${packageVersion()} (pid ${process.pid}) listening on ${daemon.socketPath}`);
  // Once the start's functions are compiled too, and out of the way of the first requests.
  compileCache?.saveLaterIfStale(3000);
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds >= 0');
  return n;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command('cubed')
    .description('Cubed: clustered system-container daemon speaking the LXD REST API')
    .version(packageVersion(), '--version', 'print the version')
    .action(runDaemon);

  program.command('daemon').description('run the daemon (the default)').action(runDaemon);

  program
    .command('waitready')
    .description('wait until the local daemon answers GET /1.0 on its unix socket')
    .option('--timeout <seconds>', 'give up after this many seconds (default: wait forever)', parseSeconds)
    .action(async (opts: { timeout?: number }) => {
      const socketPath = unixSocketPath(stateDir());
      const timeoutMs = opts.timeout === undefined ? undefined : opts.timeout * 1000;
      if (!(await waitReady(socketPath, timeoutMs))) {
        process.stderr.write(`Error: the daemon at ${socketPath} did not answer within ${opts.timeout} s\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('sql')
    .description('run a SQL query against the local or global database of the running daemon')
    .argument('<database>', 'local or global')
    .argument('<query>', 'SQL, "-" to read it from standard input, ".dump" or ".schema"')
    .option('-f, --format <format>', 'output format (sql|csv|json|table|yaml|compact)', 'sql')
    .action(async (database: string, query: string, opts: { format: string }) => {
      const { runSqlCommand } = await import('../../cli/src/sql-command');
      await runSqlCommand(unixSocketPath(stateDir()), database, query, opts.format, {
        stdout: (text) => process.stdout.write(text),
        readStdin: async () => {
          const chunks: Buffer[] = [];
          for await (const c of process.stdin) chunks.push(c as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        },
      });
    });

  program
    .command('init')
    .description('configure the daemon: interactively, with --auto, or from a preseed')
    .option('--auto', 'configure without asking (use the flags below)')
    .option('--preseed [file]', 'read a preseed (YAML) from the file or from standard input')
    .option('--dump', 'print the current configuration as a preseed')
    .option('--network-address <address>', 'address to bind the API to (with --auto)')
    .option('--network-port <port>', 'port to bind the API to (with --auto, default 8443)')
    .option('--trust-password <password>', 'password new clients use to add themselves (with --auto)')
    .option('--storage-backend <driver>', 'storage backend of the default storage pool (with --auto: dir)')
    .action(async (opts) => {
      const { runInit } = await import('./init/init-command');
      await runInit(unixSocketPath(stateDir()), opts, {
        stdin: process.stdin,
        stdout: process.stdout,
        readStdin: async () => {
          const chunks: Buffer[] = [];
          for await (const c of process.stdin) chunks.push(c as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        },
      });
    });

  program
    .command('shutdown')
    .description('stop the running daemon and wait until its process has exited (a database leader hands its leadership over first)')
    .option('--timeout <seconds>', 'wait at most this long for it to exit (default 60)', parseSeconds)
    .action(async (opts: { timeout?: number }) => {
      await shutdownDaemon({ socketPath: unixSocketPath(stateDir()), timeoutMs: (opts.timeout ?? 60) * 1000 });
    });

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`${packageVersion()}\n`);
    });

  registerRecoveryCommands(program, processRecoveryIo());

  await program.parseAsync(argv);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
