/**
 * Command lines of the lxc-* tools, always with the driver's private lxcpath (`-P`).
 */
import { ExecRequest } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';

export interface LxcCommand {
  command: string;
  args: string[];
}

export type LxcLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'NOTICE' | 'WARN' | 'ERROR';

/**
 * How lxc-start is run when LXC must write an idmap itself (see `idmap.ts`): through `env` with a PATH
 * that lacks newuidmap/newgidmap, and lxc-start by absolute path.
 */
export interface DirectIdmapLaunch {
  lxcStartPath: string;
  path: string;
}

/** Runs the command from the working directory `$1` (lxc-attach has no option for it). */
const CWD_WRAPPER = 'cd -- "$1" || exit 127; shift; exec "$@"';

export function lxcStartCommand(lxcPath: string, name: string, logFile: string, logLevel: LxcLogLevel, direct?: DirectIdmapLaunch): LxcCommand {
  const args = ['-P', lxcPath, '-n', name, '-d', '-o', logFile, '-l', logLevel];
  if (direct) return { command: 'env', args: [`PATH=${direct.path}`, direct.lxcStartPath, ...args] };
  return { command: 'lxc-start', args };
}

export function lxcStopCommand(lxcPath: string, name: string, mode: { kill: true } | { kill: false; timeoutSeconds: number }): LxcCommand {
  const args = ['-P', lxcPath, '-n', name];
  if (mode.kill) args.push('-k');
  else args.push('-t', String(mode.timeoutSeconds), '--nokill');
  return { command: 'lxc-stop', args };
}

export function lxcInfoCommand(lxcPath: string, name: string): LxcCommand {
  return { command: 'lxc-info', args: ['-P', lxcPath, '-n', name, '-s', '-p', '-H'] };
}

export function lxcFreezeCommand(lxcPath: string, name: string): LxcCommand {
  return { command: 'lxc-freeze', args: ['-P', lxcPath, '-n', name] };
}

export function lxcUnfreezeCommand(lxcPath: string, name: string): LxcCommand {
  return { command: 'lxc-unfreeze', args: ['-P', lxcPath, '-n', name] };
}

const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertExecRequest(request: ExecRequest): void {
  if (!Array.isArray(request.command) || request.command.length === 0) {
    throw new RuntimeError('InvalidArgument', 'An exec request needs a command');
  }
  for (const word of request.command) {
    if (typeof word !== 'string' || word.includes('\0')) throw new RuntimeError('InvalidArgument', 'Command arguments must be strings without NUL bytes');
  }
  if (request.command[0] === '') throw new RuntimeError('InvalidArgument', 'The command name is empty');
  for (const [key, value] of Object.entries(request.environment ?? {})) {
    if (!ENVIRONMENT_NAME.test(key)) throw new RuntimeError('InvalidArgument', `Invalid environment variable name "${key}"`);
    if (typeof value !== 'string' || value.includes('\0')) throw new RuntimeError('InvalidArgument', `Invalid value for environment variable ${key}`);
  }
  for (const [what, id] of [['uid', request.uid], ['gid', request.gid]] as const) {
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id > 0xfffffffe)) throw new RuntimeError('InvalidArgument', `Invalid ${what} ${id}`);
  }
  if (request.cwd !== undefined && (typeof request.cwd !== 'string' || !request.cwd.startsWith('/') || request.cwd.includes('\0'))) {
    throw new RuntimeError('InvalidArgument', `The working directory "${request.cwd}" must be an absolute path`);
  }
}

/**
 * lxc-attach with a clean environment (only what the request gives, plus LXC's `container=lxc` and
 * default PATH). Without a working directory the command starts in `/` (lxc-attach keeps its own
 * working directory when the container has the same path, so it is always started from `/`); with one,
 * the container's /bin/sh changes into it first.
 */
export function lxcAttachCommand(lxcPath: string, name: string, request: ExecRequest): LxcCommand {
  assertExecRequest(request);
  const args = ['-P', lxcPath, '-n', name, '--clear-env'];
  for (const [key, value] of Object.entries(request.environment ?? {})) args.push('-v', `${key}=${value}`);
  args.push('-u', String(request.uid ?? 0), '-g', String(request.gid ?? 0), '--');
  if (request.cwd !== undefined && request.cwd !== '/') args.push('/bin/sh', '-c', CWD_WRAPPER, 'sh', request.cwd);
  args.push(...request.command);
  return { command: 'lxc-attach', args };
}
