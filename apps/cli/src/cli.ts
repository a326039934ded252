import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import YAML from 'yaml';
import { CubedError, UnixClient } from './client';
import { packageVersion } from './version';

export const DEFAULT_STATE_DIR = '/var/lib/cubed';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

export function socketPathFor(env: NodeJS.ProcessEnv): string {
  return path.join(path.resolve(env.CUBED_DIR || DEFAULT_STATE_DIR), 'unix.socket');
}

interface ServerInfo {
  api_version: string;
  environment: { server_name: string; server_version: string };
}

/** Runs the `cube` CLI with user arguments (no node/script prefix); resolves to the exit code. */
export async function run(args: string[], io: Io): Promise<number> {
  let client: UnixClient | undefined;
  const connect = () => (client ??= new UnixClient(socketPathFor(io.env)));

  const program = new Command('cube')
    .description('Command-line client for the Cubed daemon')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);

  program
    .command('version')
    .description('print the client version')
    .action(() => io.stdout(`${packageVersion()}\n`));

  program
    .command('info')
    .description('show information about the server')
    .action(async () => {
      const info = await connect().get<ServerInfo>('/1.0');
      io.stdout(
        YAML.stringify({
          server_name: info.environment.server_name,
          server_version: info.environment.server_version,
          api_version: info.api_version,
        }),
      );
    });

  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed its message
    const message = err instanceof CubedError || err instanceof Error ? err.message : String(err);
    io.stderr(`Error: ${message}\n`);
    return 1;
  } finally {
    client?.close();
  }
}
