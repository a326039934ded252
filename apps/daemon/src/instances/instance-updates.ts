/**
 * Changing an instance's configuration (PUT replaces, PATCH merges), as an operation: the new
 * config and devices are checked with the profiles expanded, written with a compare-and-set on the
 * rows that were read (the ETag check and the write are one replicated transaction; without
 * If-Match, an edit that lost a race is done again on the fresh rows), then applied
 * to the runtime: `limits.*` at once when the instance runs. If the runtime refuses them, the
 * previous configuration is put back.
 */
import * as os from 'node:os';
import { Injectable } from '@nestjs/common';
import { limitEntries } from '@app/runtime';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { etagOf } from '../http/etag';
import { guardedWrite } from '../http/guarded-write';
import { badRequest, preconditionFailed } from '../http/lxd-error';
import type { RequestContext } from '../http/request-context';
import type { Operation } from '../operations/operation';
import { OperationsManager } from '../operations/operations-manager';
import { type Devices, validDevices } from '../profiles/profile-store';
import { ProfileStore } from '../profiles/profile-store';
import { HostRuntime, runtimeName } from './host-runtime';
import { checkDevices, checkedExpansion, CREATION_ONLY_KEYS, isVolatile, rootDisk, validInstanceConfig } from './instance-config';
import { InstanceReader } from './instance-reader';
import { type InstanceContent, type InstanceRecord, InstanceStore } from './instance-store';
import { instanceEtagFields } from './instance-view';
import { runtimeCall } from './runtime-call';
import { isJsonObject } from '../http/json-object';

export interface UpdateBody {
  config?: unknown;
  devices?: unknown;
  profiles?: unknown;
  description?: unknown;
  ephemeral?: unknown;
  architecture?: unknown;
  restore?: unknown;
  stateful?: unknown;
}

function nicsOf(devices: Devices): string {
  return JSON.stringify(
    Object.entries(devices)
      .filter(([, d]) => d.type === 'nic')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

@Injectable()
export class InstanceUpdates {
  constructor(
    private readonly store: InstanceStore,
    private readonly reader: InstanceReader,
    private readonly profiles: ProfileStore,
    private readonly host: HostRuntime,
    private readonly operations: OperationsManager,
    private readonly events: EventBus,
  ) {}

  /** Checks the request now (errors are answered at once) and returns the operation that applies it. */
  async update(record: InstanceRecord, body: UpdateBody, merge: boolean, ifMatch: string | undefined, ctx: RequestContext): Promise<Operation> {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    if (ifMatch !== undefined) {
      const etag = etagOf(instanceEtagFields(await this.reader.one(record)));
      if (etag !== ifMatch) throw preconditionFailed(`ETag doesn't match: ${etag} vs ${ifMatch}`);
    }
    const planned = await this.plan(record, body, merge);
    const url = `/1.0/instances/${record.name}`;
    return this.operations.create({
      class: 'task',
      description: 'Updating instance',
      resources: { instances: [url] },
      project: record.project,
      run: async () => {
        // Without If-Match, an edit that lost a race with another is planned again on the fresh instance.
        let rounds = 0;
        const done = await guardedWrite(async () => {
          const current = rounds++ === 0 ? record : await this.store.get(record.project, record.name);
          const { content, after } = current === record ? planned : await this.plan(current, body, merge);
          await this.store.replace(current, content);
          return { before: current, after };
        }, { ifMatch });
        try {
          await this.applyLimits(record, done.after.config);
        } catch (err) {
          const was = done.before;
          const updated = await this.store.get(record.project, record.name);
          await this.store.replace(updated, { description: was.description, ephemeral: was.ephemeral, config: was.config, devices: was.devices, profiles: was.profiles });
          throw err;
        }
        emitLifecycle(this.events, 'instance-updated', url, ctx, undefined, record.project);
      },
    });
  }

  /** The content an edit gives the instance, and its expanded config and devices, checked. */
  private async plan(record: InstanceRecord, body: UpdateBody, merge: boolean): Promise<{ content: InstanceContent; after: { config: Record<string, string>; devices: Devices } }> {
    const content = this.content(record, body, merge);
    const before = await this.reader.expanded(record);
    const after = await this.expandChecked(record, content);
    for (const key of CREATION_ONLY_KEYS) {
      if ((before.config[key] ?? '') !== (after.config[key] ?? '')) throw badRequest(`Invalid config: "${key}" cannot be changed once the instance exists`);
    }
    if (rootDisk(after.devices).pool !== record.pool) throw badRequest(`The root disk cannot move from storage pool "${record.pool}" to another pool`);
    if (nicsOf(before.devices) !== nicsOf(after.devices)) throw badRequest('The network devices of an existing instance cannot be changed: create the instance with them');
    return { content, after };
  }

  /** Puts config, devices and profiles of a snapshot back on its instance (after the root filesystem was restored). */
  async restoreContent(record: InstanceRecord, snapshot: { config: Record<string, string>; devices: Devices }): Promise<void> {
    const volatile = Object.fromEntries(Object.entries(record.config).filter(([k]) => isVolatile(k)));
    const config = { ...Object.fromEntries(Object.entries(snapshot.config).filter(([k]) => !isVolatile(k))), ...volatile };
    const content: InstanceContent = { description: record.description, ephemeral: record.ephemeral, config, devices: snapshot.devices, profiles: record.profiles };
    const after = await this.expandChecked(record, content);
    await this.store.replace(record, content);
    await this.applyLimits(record, after.config);
  }

  private content(record: InstanceRecord, body: UpdateBody, merge: boolean): InstanceContent {
    if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
    if (body.ephemeral !== undefined && typeof body.ephemeral !== 'boolean') throw badRequest('ephemeral must be true or false');
    if (body.architecture !== undefined && body.architecture !== '' && body.architecture !== record.architecture) {
      throw badRequest(`The architecture of an instance cannot be changed (it is ${record.architecture})`);
    }
    let profiles = record.profiles;
    if (body.profiles !== undefined && body.profiles !== null) {
      if (!Array.isArray(body.profiles) || body.profiles.some((p) => typeof p !== 'string')) throw badRequest('profiles must be a list of profile names');
      profiles = body.profiles as string[];
      if (new Set(profiles).size !== profiles.length) throw badRequest('A profile is listed more than once');
    }
    const volatile = Object.fromEntries(Object.entries(record.config).filter(([k]) => isVolatile(k)));
    const given = validInstanceConfig(body.config, volatile);
    const devices = validDevices(body.devices);
    checkDevices(devices, 'devices');
    if (merge) {
      const config = { ...record.config, ...given };
      const merged = { ...record.devices, ...devices };
      return {
        description: body.description === undefined ? record.description : (body.description as string),
        ephemeral: body.ephemeral === undefined ? record.ephemeral : (body.ephemeral as boolean),
        config,
        devices: merged,
        profiles,
      };
    }
    return {
      description: (body.description as string | undefined) ?? '',
      ephemeral: (body.ephemeral as boolean | undefined) ?? false,
      config: { ...given, ...volatile },
      devices,
      profiles,
    };
  }

  private async expandChecked(record: InstanceRecord, content: InstanceContent) {
    const all = await this.profiles.list(record.project);
    for (const name of content.profiles) if (!all.some((p) => p.name === name)) throw badRequest(`Profile "${name}" not found`);
    const used = content.profiles.map((name) => all.find((p) => p.name === name)!);
    return checkedExpansion(used, content.config, content.devices, os.totalmem());
  }

  private async applyLimits(record: InstanceRecord, config: Record<string, string>): Promise<void> {
    const driver = await this.host.driver(record.pool);
    await runtimeCall(() => driver.setLimits(runtimeName(record.project, record.name), limitEntries(config)));
  }
}
