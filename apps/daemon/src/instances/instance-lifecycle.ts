/**
 * What happens to an instance on this member over its life: state changes (start, stop, restart,
 * freeze, unfreeze), renaming and deletion, each an operation as in LXD, with its lifecycle event.
 * Ephemeral instances are deleted when they are stopped.
 */
import { Injectable, Logger } from '@nestjs/common';
import { isRuntimeError, RuntimeError, type StopOptions } from '@app/runtime';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { badRequest, LxdError } from '../http/lxd-error';
import type { RequestContext } from '../http/request-context';
import type { Operation } from '../operations/operation';
import { OperationsManager } from '../operations/operations-manager';
import { ExecOutputStore } from './exec/exec-output-store';
import { HostRuntime, runtimeName } from './host-runtime';
import { type InstanceRecord, InstanceStore } from './instance-store';
import { runtimeCall } from './runtime-call';
import { runtimeErrorToLxd } from './runtime-errors';
import { isJsonObject } from '../http/json-object';

export type StateAction = 'start' | 'stop' | 'restart' | 'freeze' | 'unfreeze';

export interface StateBody {
  action?: unknown;
  timeout?: unknown;
  force?: unknown;
  stateful?: unknown;
}

/** How long a clean stop may take when the client gives no timeout (-1): then the instance is killed. */
export const UNLIMITED_STOP_SECONDS = 600;

const DESCRIPTIONS: Record<StateAction, string> = {
  start: 'Starting instance',
  stop: 'Stopping instance',
  restart: 'Restarting instance',
  freeze: 'Freezing instance',
  unfreeze: 'Unfreezing instance',
};

const EVENTS: Record<StateAction, string> = {
  start: 'instance-started',
  stop: 'instance-stopped',
  restart: 'instance-restarted',
  freeze: 'instance-paused',
  unfreeze: 'instance-resumed',
};

export function checkStateBody(body: StateBody): { action: StateAction; stop: StopOptions } {
  if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
  const action = body.action;
  if (typeof action !== 'string' || !(action in DESCRIPTIONS)) throw badRequest(`Unknown action "${String(action ?? '')}": use start, stop, restart, freeze or unfreeze`);
  if (body.stateful === true) throw badRequest('Stateful stop and start are not supported (CRIU cannot checkpoint on this platform)');
  if (body.force !== undefined && typeof body.force !== 'boolean') throw badRequest('force must be true or false');
  const timeout = body.timeout === undefined ? -1 : body.timeout;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < -1) throw badRequest('timeout must be a whole number of seconds, or -1');
  return {
    action: action as StateAction,
    stop: { force: body.force === true, timeoutSeconds: timeout === -1 ? UNLIMITED_STOP_SECONDS : timeout },
  };
}


@Injectable()
export class InstanceLifecycle {
  private readonly logger = new Logger('Instances');

  constructor(
    private readonly store: InstanceStore,
    private readonly host: HostRuntime,
    private readonly operations: OperationsManager,
    private readonly events: EventBus,
    private readonly execOutput: ExecOutputStore,
  ) {}

  changeState(record: InstanceRecord, action: StateAction, stop: StopOptions, ctx: RequestContext | undefined): Operation {
    const url = `/1.0/instances/${record.name}`;
    return this.operations.create({
      class: 'task',
      description: DESCRIPTIONS[action],
      resources: { instances: [url] },
      project: record.project,
      run: async () => {
        await this.applyState(record, action, stop);
        emitLifecycle(this.events, EVENTS[action], url, ctx, undefined, record.project);
        if (record.ephemeral && action === 'stop') await this.deleteNow(record, ctx);
      },
    });
  }

  /** Does a state change now (also used at start-up to bring instances back). */
  async applyState(record: InstanceRecord, action: StateAction, stop: StopOptions = {}): Promise<void> {
    const driver = await this.host.driver(record.pool);
    const name = runtimeName(record.project, record.name);
    await runtimeCall(async () => {
      switch (action) {
        case 'start':
          await driver.start(name);
          break;
        case 'stop':
          await driver.stop(name, stop);
          break;
        case 'restart':
          await driver.restart(name, stop);
          break;
        case 'freeze':
          await driver.freeze(name);
          break;
        case 'unfreeze':
          await driver.unfreeze(name);
          break;
      }
    });
    if (action === 'start' || action === 'stop' || action === 'restart') {
      await this.store.setConfig(record.id, { 'volatile.last_state.power': action === 'stop' ? 'STOPPED' : 'RUNNING' });
      if (action !== 'stop') await this.store.touchLastUsed(record.id);
    }
  }

  delete(record: InstanceRecord, ctx: RequestContext): Operation {
    return this.operations.create({
      class: 'task',
      description: 'Deleting instance',
      resources: { containers: [`/1.0/containers/${record.name}`], instances: [`/1.0/instances/${record.name}`] },
      project: record.project,
      run: async () => {
        await this.deleteNow(record, ctx);
      },
    });
  }

  rename(record: InstanceRecord, to: string, ctx: RequestContext): Operation {
    return this.operations.create({
      class: 'task',
      description: 'Renaming instance',
      resources: { instances: [`/1.0/instances/${record.name}`] },
      project: record.project,
      run: async () => {
        const driver = await this.host.driver(record.pool);
        const status = await runtimeCall(() => driver.status(runtimeName(record.project, record.name)));
        if (status !== 'Stopped') throw badRequest('Renaming of running instance not allowed');
        if (await this.store.find(record.project, to)) throw new LxdError(409, `Name "${to}" already in use`);
        await runtimeCall(() => driver.rename(runtimeName(record.project, record.name), runtimeName(record.project, to)));
        try {
          await this.store.rename(record, to);
        } catch (err) {
          await driver.rename(runtimeName(record.project, to), runtimeName(record.project, record.name)).catch((undo: Error) =>
            this.logger.error(`instance ${record.name}: renamed to ${to} in the runtime but not in the database, and could not be renamed back: ${undo.message}`),
          );
          throw err;
        }
        await this.execOutput.renameInstance(record.project, record.name, to);
        emitLifecycle(this.events, 'instance-renamed', `/1.0/instances/${to}`, ctx, { old_name: record.name }, record.project);
      },
    });
  }

  private async deleteNow(record: InstanceRecord, ctx: RequestContext | undefined): Promise<void> {
    const driver = await this.host.driver(record.pool);
    const name = runtimeName(record.project, record.name);
    try {
      const status = await driver.status(name);
      if (status !== 'Stopped') throw badRequest('The instance is currently running, stop it first');
      await driver.delete(name);
    } catch (err) {
      if (!isRuntimeError(err, 'NotFound')) throw err instanceof RuntimeError ? runtimeErrorToLxd(err) : err;
      this.logger.warn(`instance ${record.name} had no container on this member; removing its record`);
    }
    await this.store.delete(record);
    await this.execOutput.removeInstance(record.project, record.name);
    emitLifecycle(this.events, 'instance-deleted', `/1.0/instances/${record.name}`, ctx, undefined, record.project);
  }
}
