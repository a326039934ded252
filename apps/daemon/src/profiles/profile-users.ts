/**
 * The instances that use a profile, as LXD treats them when the profile changes:
 * - before the change is written, each of them is checked with the new content (an instance left
 *   without a root disk, or with a limit it cannot have, makes the change a 400 naming it);
 * - after, each one is updated by its own member as an edit that changes nothing of the instance
 *   itself would be: a running instance takes the profile's new limits at once.
 */
import * as os from 'node:os';
import { Injectable } from '@nestjs/common';
import { PeerClient } from '../cluster/peer-client';
import { Databases } from '../database/databases';
import { badRequest, LxdError } from '../http/lxd-error';
import type { RequestContext } from '../http/request-context';
import { MemberIdentity } from '../identity/member-identity';
import { checkedExpansion } from '../instances/instance-config';
import { type InstanceRecord, InstanceStore } from '../instances/instance-store';
import { InstanceUpdates } from '../instances/instance-updates';
import type { OperationJson } from '../operations/operation';
import { type Devices, ProfileStore, type StoredProfile } from './profile-store';

/** How long one instance's update may take on its member. */
const UPDATE_TIMEOUT_S = 30;

@Injectable()
export class ProfileUsers {
  constructor(
    private readonly profiles: ProfileStore,
    private readonly instances: InstanceStore,
    private readonly updates: InstanceUpdates,
    private readonly identity: MemberIdentity,
    private readonly peers: PeerClient,
    private readonly databases: Databases,
  ) {}

  /** Refuses new content for `profile` after which an instance using it would not be valid. */
  async check(profile: StoredProfile, content: { config: Record<string, string>; devices: Devices }, project: string): Promise<void> {
    if (profile.used_by.length === 0) return;
    const profiles = (await this.profiles.list(project)).map((p) => (p.id === profile.id ? { ...p, ...content } : p));
    const hostMemory = os.totalmem();
    for (const instance of await this.using(profile.name, project)) {
      const used = instance.profiles.map((name) => profiles.find((p) => p.name === name)).filter((p) => p !== undefined);
      try {
        checkedExpansion(used, instance.config, instance.devices, hostMemory);
      } catch (err) {
        if (err instanceof LxdError && err.statusCode === 400) throw badRequest(`Profile "${profile.name}" cannot be changed: instance "${instance.name}" would be invalid: ${err.message}`);
        throw err;
      }
    }
  }

  /**
   * Has every instance using the profile updated by its member; one error lists those that failed.
   * `profile` is the profile as read before the change (nothing to do when nothing used it).
   */
  async apply(profile: StoredProfile, project: string, ctx: RequestContext): Promise<void> {
    if (profile.used_by.length === 0) return;
    const profileName = profile.name;
    const failures: string[] = [];
    for (const instance of await this.using(profileName, project)) {
      try {
        await this.update(instance, ctx);
      } catch (err) {
        failures.push(`${instance.name}: ${(err as Error).message}`);
      }
    }
    if (failures.length > 0) throw new LxdError(500, `Profile "${profileName}" was changed, but not every instance using it took the change: ${failures.join('; ')}`);
  }

  private async using(profileName: string, project: string): Promise<InstanceRecord[]> {
    return (await this.instances.list(project)).filter((i) => i.profiles.includes(profileName));
  }

  private async update(instance: InstanceRecord, ctx: RequestContext): Promise<void> {
    const where = this.databases.clustered ? await this.instances.locate(instance.project, instance.name) : undefined;
    if (!where || where.nodeId === this.identity.node.id) {
      const op = await this.updates.update(instance, {}, true, undefined, ctx);
      await op.finished();
      if (op.status !== 'Success') throw new Error(op.toJSON().err || op.status);
      return;
    }
    const query = instance.project === 'default' ? '' : `?project=${encodeURIComponent(instance.project)}`;
    const started = await this.peers.lxd<OperationJson>(where.address, 'PATCH', `/1.0/instances/${encodeURIComponent(instance.name)}${query}`, {});
    const done = await this.peers.lxd<OperationJson>(where.address, 'GET', `/1.0/operations/${started.id}/wait?timeout=${UPDATE_TIMEOUT_S}${query.replace('?', '&')}`, undefined, {
      timeoutMs: (UPDATE_TIMEOUT_S + 5) * 1000,
    });
    if (done.status !== 'Success') throw new Error(done.err || done.status);
  }
}
