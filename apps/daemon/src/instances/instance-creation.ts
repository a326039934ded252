/**
 * Creating an instance from an image (POST /1.0/instances), as LXD does it:
 * 1. the request is checked (name, source, profiles, config and devices as expanded);
 * 2. in a cluster without `?target=<member>`, the scheduler picks the member and the request goes
 *    there (the chosen member creates it as if it had been targeted);
 * 3. on the member that will run it, the instance's record is written at once (so that the name is
 *    taken and the instance counts for placement), then an operation brings the image's tarball to
 *    this member, unpacks it into the pool and creates the container, reporting progress. If that
 *    fails, the record and anything created are removed again.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { assertInstanceName, type InstanceInfo, isRuntimeError, RuntimeError } from '@app/runtime';
import { PeerClient } from '../cluster/peer-client';
import { Databases } from '../database/databases';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { badRequest, LxdError, notFound } from '../http/lxd-error';
import type { RequestContext } from '../http/request-context';
import { MemberIdentity } from '../identity/member-identity';
import type { Operation } from '../operations/operation';
import { OperationsManager } from '../operations/operations-manager';
import { ProfileStore, type Devices, validDevices } from '../profiles/profile-store';
import { StoragePoolStore } from '../storage/storage-pool-store';
import { HostRuntime, runtimeName } from './host-runtime';
import { checkDevices, checkedExpansion, isTrue, rootDisk, validInstanceConfig } from './instance-config';
import { InstanceImages, type TransferProgress } from './instance-images';
import { randomInstanceName } from './instance-names';
import { InstanceNics } from './instance-nics';
import { InstancePlacement } from './instance-placement';
import { runtimeErrorToLxd } from './runtime-errors';
import { InstanceStore } from './instance-store';
import { idmapConfig } from './volatile-keys';
import { isJsonObject } from '../http/json-object';

export interface CreateBody {
  name?: unknown;
  description?: unknown;
  config?: unknown;
  devices?: unknown;
  profiles?: unknown;
  ephemeral?: unknown;
  architecture?: unknown;
  type?: unknown;
  instance_type?: unknown;
  stateful?: unknown;
  source?: {
    type?: unknown;
    alias?: unknown;
    fingerprint?: unknown;
    server?: unknown;
    protocol?: unknown;
    properties?: unknown;
  };
}

/** Where a create request ends: an operation here, or the answer of the member it was sent to. */
export type CreateOutcome = { kind: 'local'; operation: Operation } | { kind: 'forwarded'; status: number; body: unknown; headers: Record<string, string> };

interface CheckedRequest {
  name: string;
  description: string;
  config: Record<string, string>;
  devices: Devices;
  profiles: string[];
  ephemeral: boolean;
  source: { alias?: string; fingerprint?: string };
}

function checkBody(body: CreateBody): CheckedRequest {
  if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
  const name = body.name === undefined || body.name === '' ? randomInstanceName() : body.name;
  if (typeof name !== 'string') throw badRequest('name must be a string');
  try {
    assertInstanceName(name);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (body.type !== undefined && body.type !== '' && body.type !== 'container') {
    throw badRequest(`Instance type "${String(body.type)}" is not supported: Cubed runs containers`);
  }
  if (body.instance_type !== undefined && body.instance_type !== '') throw badRequest('Instance types (instance_type) are not supported: set limits.* instead');
  if (body.stateful === true) throw badRequest('Stateful instances are not supported');
  if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('description must be a string');
  if (body.ephemeral !== undefined && typeof body.ephemeral !== 'boolean') throw badRequest('ephemeral must be true or false');
  let profiles = ['default'];
  if (body.profiles !== undefined && body.profiles !== null) {
    if (!Array.isArray(body.profiles) || body.profiles.some((p) => typeof p !== 'string')) throw badRequest('profiles must be a list of profile names');
    profiles = body.profiles as string[];
    if (new Set(profiles).size !== profiles.length) throw badRequest('A profile is listed more than once');
  }
  const source = body.source;
  if (!source || typeof source !== 'object') throw badRequest('No source provided: create instances from an image (source type "image")');
  if (source.type !== 'image') {
    throw badRequest(`Source type "${String(source.type ?? '')}" is not supported: Cubed creates instances from images (source type "image")`);
  }
  if (source.server !== undefined && source.server !== '') {
    throw badRequest(`Remote image servers are not supported: import the image first (lxc image import), then create from its alias or fingerprint`);
  }
  const alias = typeof source.alias === 'string' && source.alias !== '' ? source.alias : undefined;
  const fingerprint = typeof source.fingerprint === 'string' && source.fingerprint !== '' ? source.fingerprint : undefined;
  if (!alias && !fingerprint) throw badRequest('The image source needs an alias or a fingerprint');
  const devices = validDevices(body.devices);
  checkDevices(devices, 'devices');
  return {
    name,
    description: (body.description as string | undefined) ?? '',
    config: validInstanceConfig(body.config),
    devices,
    profiles,
    ephemeral: body.ephemeral === true,
    source: { ...(alias ? { alias } : {}), ...(fingerprint ? { fingerprint } : {}) },
  };
}

@Injectable()
export class InstanceCreation {
  private readonly logger = new Logger('Instances');

  constructor(
    private readonly store: InstanceStore,
    private readonly profiles: ProfileStore,
    private readonly pools: StoragePoolStore,
    private readonly placement: InstancePlacement,
    private readonly runtime: HostRuntime,
    private readonly images: InstanceImages,
    private readonly nics: InstanceNics,
    private readonly operations: OperationsManager,
    private readonly events: EventBus,
    private readonly databases: Databases,
    private readonly identity: MemberIdentity,
    private readonly peers: PeerClient,
  ) {}

  async create(project: string, body: CreateBody, target: string | undefined, rawQuery: string, ctx: RequestContext): Promise<CreateOutcome> {
    const request = checkBody(body);
    const allProfiles = await this.profiles.list(project);
    const used = request.profiles.map((name) => {
      const found = allProfiles.find((p) => p.name === name);
      if (!found) throw notFound(`Profile "${name}" not found`);
      return found;
    });
    const expanded = checkedExpansion(used, request.config, request.devices, os.totalmem());
    const root = rootDisk(expanded.devices);
    await this.pools.get(root.pool).catch((err: unknown) => {
      if (err instanceof LxdError && err.statusCode === 404) throw badRequest(`Failed initialising instance: the root disk's storage pool "${root.pool}" does not exist`);
      throw err;
    });
    const image = await this.images.resolve(project, request.source);

    if (this.databases.clustered && (!target || target.startsWith('@'))) {
      const placed = await this.placement.place(project, { target, architecture: image.architecture, config: expanded.config });
      try {
        if (placed.member !== this.identity.name) return await this.forward(placed.address, placed.member, project, { ...body, name: request.name }, rawQuery);
        return { kind: 'local', operation: await this.createHere(project, request, expanded, root.pool, image, ctx) };
      } finally {
        placed.pending.release();
      }
    }
    return { kind: 'local', operation: await this.createHere(project, request, expanded, root.pool, image, ctx) };
  }

  /** Sends the create request to the member the scheduler chose, targeted at it. */
  private async forward(address: string, member: string, project: string, body: CreateBody, rawQuery: string): Promise<CreateOutcome> {
    const query = new URLSearchParams(rawQuery);
    query.set('target', member);
    if (project !== 'default') query.set('project', project);
    let reply;
    try {
      reply = await this.peers.request(address, 'POST', `/1.0/instances?${query.toString()}`, body, { timeoutMs: 60_000 });
    } catch (err) {
      throw new LxdError(503, `cannot reach the cluster member ${member} chosen for the instance: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(reply.body.toString('utf8'));
    } catch {
      throw new LxdError(502, `the cluster member ${member} answered HTTP ${reply.status} without JSON`);
    }
    const headers: Record<string, string> = {};
    if (typeof reply.headers.location === 'string') headers.Location = reply.headers.location;
    return { kind: 'forwarded', status: reply.status, body: parsed, headers };
  }

  private async createHere(
    project: string,
    request: CheckedRequest,
    expanded: { config: Record<string, string>; devices: Devices },
    pool: string,
    image: { fingerprint: string; architecture: string; properties: Record<string, string> },
    ctx: RequestContext,
  ): Promise<Operation> {
    // Fails early (before anything is recorded) when the pool is not usable on this member.
    await this.runtime.driver(pool);
    const config: Record<string, string> = { ...request.config };
    for (const [key, value] of Object.entries(image.properties)) config[`image.${key}`] = value;
    config['volatile.base_image'] = image.fingerprint;
    config['volatile.uuid'] = randomUUID();
    await this.nics.reserve(async () => {
      Object.assign(config, await this.nics.allocate(project, request.name, expanded.devices, config));
      await this.store.create({
        name: request.name,
        project,
        nodeId: this.identity.node.id,
        pool,
        architecture: image.architecture,
        ephemeral: request.ephemeral,
        description: request.description,
        config,
        devices: request.devices,
        profiles: request.profiles,
      });
    });
    const url = `/1.0/instances/${request.name}`;
    return this.operations.create({
      class: 'task',
      description: 'Creating instance',
      resources: { containers: [`/1.0/containers/${request.name}`], instances: [url] },
      project,
      run: async (op) => {
        let created = false;
        try {
          const info = await this.build(op, project, request.name, pool, image.fingerprint, { ...expanded, config: { ...expanded.config, ...config } });
          created = true;
          const record = await this.store.get(project, request.name);
          await this.store.setConfig(record.id, { ...idmapConfig(info), 'volatile.last_state.power': 'STOPPED' });
          await this.images.markUsed(project, image.fingerprint).catch(() => undefined);
          emitLifecycle(this.events, 'instance-created', url, ctx, undefined, project);
        } catch (err) {
          await this.undo(project, request.name, pool, created);
          throw err instanceof RuntimeError ? runtimeErrorToLxd(err) : err;
        }
      },
    });
  }

  private async build(op: Operation, project: string, name: string, pool: string, fingerprint: string, expanded: { config: Record<string, string>; devices: Devices }): Promise<InstanceInfo> {
    const report = (key: string, p: TransferProgress) => {
      const speed = p.bytesPerSecond !== undefined ? ` (${formatSpeed(p.bytesPerSecond)})` : '';
      op.setMetadata({
        [`${key}_progress`]: `${p.stage}: ${Math.round(p.percent)}%${speed}`,
        progress: { stage: key, percent: String(Math.round(p.percent)), speed: p.bytesPerSecond !== undefined ? String(Math.round(p.bytesPerSecond)) : '' },
      });
    };
    const tarball = await this.images.tarballOnThisMember(project, fingerprint, (p) => report('create_instance_from_image_download', p));
    report('create_instance_from_image_unpack', { stage: 'Unpack', percent: 0 });
    const started = Date.now();
    const unpacked = await this.runtime.unpackImage(pool, tarball, fingerprint);
    report('create_instance_from_image_unpack', { stage: 'Unpack', percent: 100, bytesPerSecond: undefined });
    this.logger.debug?.(`image ${fingerprint.slice(0, 12)} ready in pool ${pool} after ${Date.now() - started} ms`);
    const driver = await this.runtime.driver(pool);
    return driver.create({
      name: runtimeName(project, name),
      hostname: name,
      imageDirectory: unpacked.directory,
      privileged: isTrue(expanded.config['security.privileged']),
      config: expanded.config,
      nics: await this.nics.devices(project, name, expanded.devices, expanded.config),
    });
  }

  private async undo(project: string, name: string, pool: string, created: boolean): Promise<void> {
    try {
      if (created) await (await this.runtime.driver(pool)).delete(runtimeName(project, name));
    } catch (err) {
      if (!isRuntimeError(err, 'NotFound')) this.logger.warn(`cleaning up instance ${name}: ${(err as Error).message}`);
    }
    try {
      const record = await this.store.find(project, name);
      if (record) await this.store.delete(record);
    } catch (err) {
      this.logger.warn(`removing the record of instance ${name} after a failed creation: ${(err as Error).message}`);
    }
  }
}

function formatSpeed(bytesPerSecond: number): string {
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(2)}${units[unit]}`;
}
