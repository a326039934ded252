/**
 * Snapshots of an instance on this member: stateless copies of its root filesystem (taken while it
 * runs too) with a record of its config and devices; restoring one puts both back, stopping and
 * restarting a running instance around it as LXD does. Each change is an operation.
 */
import { Injectable } from '@nestjs/common';
import { assertSnapshotName } from '@app/runtime';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { badRequest } from '../http/lxd-error';
import type { RequestContext } from '../http/request-context';
import type { Operation } from '../operations/operation';
import { OperationsManager } from '../operations/operations-manager';
import { HostRuntime, runtimeName } from './host-runtime';
import { InstanceLifecycle } from './instance-lifecycle';
import { type InstanceRecord, InstanceStore, type SnapshotRecord } from './instance-store';
import { InstanceUpdates } from './instance-updates';
import { runtimeCall } from './runtime-call';
import { isJsonObject } from '../http/json-object';

export interface SnapshotBody {
  name?: unknown;
  stateful?: unknown;
  expires_at?: unknown;
  description?: unknown;
}

export function validSnapshotName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw badRequest('No snapshot name provided');
  if (name.includes('/')) throw badRequest(`Invalid snapshot name "${name}": it cannot contain "/"`);
  try {
    assertSnapshotName(name);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  return name;
}

function expiry(value: unknown): string | null {
  if (value === undefined || value === null || value === '' || value === '0001-01-01T00:00:00Z' || value === '1970-01-01T00:00:00Z') return null;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw badRequest('expires_at must be an RFC 3339 date');
  return new Date(value).toISOString();
}


@Injectable()
export class InstanceSnapshots {
  constructor(
    private readonly store: InstanceStore,
    private readonly host: HostRuntime,
    private readonly lifecycle: InstanceLifecycle,
    private readonly updates: InstanceUpdates,
    private readonly operations: OperationsManager,
    private readonly events: EventBus,
  ) {}

  /** The next free `snapN` name, as LXD picks it. */
  async nextName(record: InstanceRecord): Promise<string> {
    const taken = new Set((await this.store.snapshots(record.id)).map((s) => s.name));
    for (let n = 0; ; n++) if (!taken.has(`snap${n}`)) return `snap${n}`;
  }

  async create(record: InstanceRecord, body: SnapshotBody, ctx: RequestContext): Promise<Operation> {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.stateful === true) throw badRequest('Stateful snapshots are not supported (CRIU cannot checkpoint on this platform)');
    const name = body.name === undefined || body.name === '' ? await this.nextName(record) : validSnapshotName(body.name);
    const expiresAt = expiry(body.expires_at);
    if ((await this.store.snapshots(record.id)).some((s) => s.name === name)) throw badRequest(`Snapshot "${name}" already exists`);
    const url = `/1.0/instances/${record.name}/snapshots/${name}`;
    return this.operations.create({
      class: 'task',
      description: 'Snapshotting instance',
      resources: { instances: [`/1.0/instances/${record.name}`, url] },
      project: record.project,
      run: async () => {
        const driver = await this.host.driver(record.pool);
        await runtimeCall(() => driver.createSnapshot(runtimeName(record.project, record.name), name));
        try {
          await this.store.createSnapshot(record, name, expiresAt);
        } catch (err) {
          await driver.deleteSnapshot(runtimeName(record.project, record.name), name).catch(() => undefined);
          throw err;
        }
        emitLifecycle(this.events, 'instance-snapshot-created', url, ctx, undefined, record.project);
      },
    });
  }

  delete(record: InstanceRecord, snapshot: SnapshotRecord, ctx: RequestContext): Operation {
    const url = `/1.0/instances/${record.name}/snapshots/${snapshot.name}`;
    return this.operations.create({
      class: 'task',
      description: 'Deleting snapshot',
      resources: { instances: [`/1.0/instances/${record.name}`, url] },
      project: record.project,
      run: async () => {
        const driver = await this.host.driver(record.pool);
        await runtimeCall(() => driver.deleteSnapshot(runtimeName(record.project, record.name), snapshot.name)).catch((err: unknown) => {
          if (!(err instanceof Error && /not found|does not exist/i.test(err.message))) throw err;
        });
        await this.store.deleteSnapshot(snapshot);
        emitLifecycle(this.events, 'instance-snapshot-deleted', url, ctx, undefined, record.project);
      },
    });
  }

  rename(record: InstanceRecord, snapshot: SnapshotRecord, to: string, ctx: RequestContext): Operation {
    const url = `/1.0/instances/${record.name}/snapshots/${to}`;
    return this.operations.create({
      class: 'task',
      description: 'Renaming snapshot',
      resources: { instances: [`/1.0/instances/${record.name}`, `/1.0/instances/${record.name}/snapshots/${snapshot.name}`] },
      project: record.project,
      run: async () => {
        const driver = await this.host.driver(record.pool);
        const name = runtimeName(record.project, record.name);
        await runtimeCall(() => driver.renameSnapshot(name, snapshot.name, to));
        try {
          await this.store.renameSnapshot(snapshot, to);
        } catch (err) {
          await driver.renameSnapshot(name, to, snapshot.name).catch(() => undefined);
          throw err;
        }
        emitLifecycle(this.events, 'instance-snapshot-renamed', url, ctx, { old_name: snapshot.name }, record.project);
      },
    });
  }

  update(record: InstanceRecord, snapshot: SnapshotRecord, body: SnapshotBody, ctx: RequestContext): Operation {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    const expiresAt = body.expires_at === undefined ? snapshot.expiresAt : expiry(body.expires_at);
    const url = `/1.0/instances/${record.name}/snapshots/${snapshot.name}`;
    return this.operations.create({
      class: 'task',
      description: 'Updating snapshot',
      resources: { instances: [`/1.0/instances/${record.name}`, url] },
      project: record.project,
      run: async () => {
        await this.store.updateSnapshot(snapshot, (body.description as string | undefined) ?? snapshot.description, expiresAt);
        emitLifecycle(this.events, 'instance-snapshot-updated', url, ctx, undefined, record.project);
      },
    });
  }

  restore(record: InstanceRecord, snapshotName: string, ctx: RequestContext): Operation {
    const url = `/1.0/instances/${record.name}`;
    return this.operations.create({
      class: 'task',
      description: 'Restoring snapshot',
      resources: { instances: [url, `${url}/snapshots/${snapshotName}`] },
      project: record.project,
      run: async () => {
        const snapshot = await this.store.snapshot(record.id, snapshotName);
        const driver = await this.host.driver(record.pool);
        const name = runtimeName(record.project, record.name);
        const status = await runtimeCall(() => driver.status(name));
        const wasRunning = status === 'Running' || status === 'Frozen';
        if (wasRunning) await this.lifecycle.applyState(record, 'stop', { timeoutSeconds: 30 });
        await runtimeCall(() => driver.restoreSnapshot(name, snapshot.name));
        await this.updates.restoreContent(await this.store.get(record.project, record.name), snapshot);
        if (wasRunning) await this.lifecycle.applyState(await this.store.get(record.project, record.name), 'start');
        emitLifecycle(this.events, 'instance-snapshot-restored', `${url}/snapshots/${snapshot.name}`, ctx, undefined, record.project);
      },
    });
  }
}
