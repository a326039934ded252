import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { instancePath } from '../instance-paths';
import { InstancesPut, InstanceStatePut } from '../lxd-shapes';
import { FROZEN, RUNNING, STOPPED, type InstanceInfo, type ServerInfo } from '../lxd-types';
import { trackOperation } from '../operation-tracking';

type Action = 'start' | 'stop' | 'restart' | 'pause';

interface ActionOptions {
  all?: boolean;
  force?: boolean;
  timeout?: string;
  stateful?: boolean;
  stateless?: boolean;
}

const DESCRIPTIONS: Record<Action, string> = {
  start: 'Start instances',
  stop: 'Stop instances',
  restart: 'Restart instances',
  pause: 'Pause instances',
};

/**
 * `cube start|stop|restart|pause [<remote>:]<instance>...`: lxc's instance actions, PUT
 * /1.0/instances/<name>/state `{action, timeout, force, stateful}` for each instance in parallel (pause is
 * `freeze`; start of a frozen instance is `unfreeze`, and restores a stateful one unless --stateless). With --all,
 * every instance of the remotes given: one PUT /1.0/instances where the server has `instance_bulk_state_change`.
 * Failures of a batch are listed per instance.
 */
export function registerInstanceStateCommands(program: Command, ctx: CliContext): void {
  for (const action of ['start', 'stop', 'restart', 'pause'] as const) {
    const command = program
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('[instances...]', '[<remote>:]<instance> [[<remote>:]<instance>...]')
      .option('--all', 'Run against all instances');
    if (action === 'stop') command.option('--stateful', 'Store the instance state');
    if (action === 'start') command.option('--stateless', 'Ignore the instance state');
    if (action === 'stop' || action === 'restart') {
      command
        .option('-f, --force', 'Force the instance to shutdown')
        .option('--timeout <seconds>', 'Time to wait for the instance before killing it', '-1');
    }
    command.action(async (instances: string[], opts: ActionOptions) => {
      let names = instances;
      if (opts.all) {
        names = await allInstances(ctx, action, instances, opts);
      } else if (names.length === 0) {
        command.outputHelp();
        return;
      }
      const results = await Promise.all(
        names.map((name) =>
          changeState(ctx, action, name, opts).then(
            () => undefined,
            (err: Error) => ({ name, err }),
          ),
        ),
      );
      const failures = results.filter((r): r is { name: string; err: Error } => r !== undefined);
      if (names.length === 1 && failures.length === 1) throw failures[0].err;
      if (failures.length === 0) return;
      for (const { name, err } of failures) {
        for (const line of `error: ${err.message}`.split('\n')) ctx.io.stderr(`${name}: ${line}\n`);
      }
      ctx.io.stderr('\n');
      throw new CubedError(`Some instances failed to ${action}`);
    });
  }
}

/** The state request of an action. */
function stateRequest(
  action: Action,
  opts: ActionOptions,
): { action: string; timeout: number; force: boolean; stateful: boolean } {
  const text = opts.timeout ?? '-1';
  if (!/^[-+]?\d+$/.test(text)) throw new CubedError(`invalid argument "${text}" for "--timeout" flag`);
  const timeout = Number(text);
  return {
    action: action === 'pause' ? 'freeze' : action,
    timeout,
    force: opts.force === true,
    stateful: action === 'stop' && opts.stateful === true,
  };
}

async function changeState(ctx: CliContext, action: Action, arg: string, opts: ActionOptions): Promise<void> {
  const { client, name } = ctx.resource(arg);
  if (name === '') throw new CubedError(`Must supply instance name for: "${arg}"`);
  const request = stateRequest(action, opts);
  if (action === 'start') {
    const current = (await client.get<InstanceInfo>(instancePath(name))) ?? {};
    if (current.status_code === FROZEN) request.action = 'unfreeze';
    if (request.action === 'start' && current.stateful && !opts.stateless) request.stateful = true;
  }
  const response = await client.query('PUT', `${instancePath(name)}/state`, toGoJson(request, InstanceStatePut));
  if (response.type === 'sync') return;
  if (!response.operation) throw new CubedError('the daemon answered with an operation but gave no operation URL');
  try {
    await trackOperation(client, response.operation, { progress: ctx.progress(), terminal: ctx.terminal });
  } catch (err) {
    throw new CubedError(`${(err as Error).message}\nTry \`cube info --show-log ${arg}\` for more info`);
  }
}

/**
 * --all: the remotes given (`<remote>:`, the default remote without any) changed at once with PUT /1.0/instances
 * when they can, else the names of their instances that the action would change.
 */
async function allInstances(ctx: CliContext, action: Action, args: string[], opts: ActionOptions): Promise<string[]> {
  const names: string[] = [];
  for (const arg of args.length > 0 ? args : [`${ctx.config.defaultRemote}:`]) {
    const { remote, name, client } = ctx.resource(arg);
    if (name !== '') throw new CubedError('Both --all and instance name given');
    const server = await client.get<ServerInfo>('/1.0');
    if ((server?.api_extensions ?? []).includes('instance_bulk_state_change')) {
      try {
        const body = toGoJson({ state: stateRequest(action, opts) }, InstancesPut);
        const response = await client.query('PUT', '/1.0/instances', body);
        if (response.type === 'async' && response.operation) {
          await trackOperation(client, response.operation, { progress: ctx.progress(), terminal: ctx.terminal });
        }
      } catch (err) {
        throw new CubedError(`${remote}: ${(err as Error).message}`);
      }
      continue;
    }
    for (const instance of (await client.get<InstanceInfo[]>('/1.0/instances?recursion=1')) ?? []) {
      if (action === 'start' && instance.status_code === RUNNING) continue;
      if (action === 'stop' && instance.status_code === STOPPED) continue;
      names.push(`${remote}:${instance.name ?? ''}`);
    }
  }
  return names;
}
