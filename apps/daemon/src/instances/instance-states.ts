/**
 * The runtime status and state of instances, wherever they live: this member asks its own driver,
 * and asks every other member that holds some of the instances (all at once, through
 * `/internal/instances/states`). A member that does not answer in time leaves its instances in the
 * Error status, as LXD shows instances of an unreachable member.
 */
import { Injectable, Logger } from '@nestjs/common';
import { isRuntimeError } from '@app/runtime';
import { PeerClient } from '../cluster/peer-client';
import { MemberIdentity } from '../identity/member-identity';
import { HostRuntime, runtimeName } from './host-runtime';
import type { InstanceRecord } from './instance-store';
import { type InstanceStateJson, stateJson, type StatusJson, statusJson, UNREACHABLE_STATUS, unreachableStateJson } from './instance-view';

export interface StatesReport {
  /** By instance name. */
  statuses: Record<string, StatusJson>;
  /** By instance name; only when the full state was asked for. */
  states?: Record<string, InstanceStateJson>;
}

const PEER_TIMEOUT_MS = 5000;

@Injectable()
export class InstanceStates {
  private readonly logger = new Logger('Instances');

  constructor(
    private readonly runtime: HostRuntime,
    private readonly identity: MemberIdentity,
    private readonly peers: PeerClient,
  ) {}

  /** Statuses (and, with `full`, states) of instances of this member, by name. */
  async local(records: readonly InstanceRecord[], full: boolean): Promise<StatesReport> {
    const report: StatesReport = { statuses: {}, ...(full ? { states: {} } : {}) };
    await Promise.all(
      records.map(async (r) => {
        try {
          const driver = await this.runtime.driver(r.pool);
          if (full) {
            const state = stateJson(await driver.state(runtimeName(r.project, r.name)));
            report.states![r.name] = state;
            report.statuses[r.name] = { status: state.status, status_code: state.status_code };
          } else {
            report.statuses[r.name] = statusJson(await driver.status(runtimeName(r.project, r.name)));
          }
        } catch (err) {
          if (!isRuntimeError(err, 'NotFound')) this.logger.warn(`state of instance ${r.name}: ${(err as Error).message}`);
          report.statuses[r.name] = UNREACHABLE_STATUS;
          if (full) report.states![r.name] = unreachableStateJson();
        }
      }),
    );
    return report;
  }

  /** Statuses (and states) of any instances: local ones here, the others from their members. */
  async of(records: readonly InstanceRecord[], addresses: ReadonlyMap<number, string>, full: boolean): Promise<StatesReport> {
    const byNode = new Map<number, InstanceRecord[]>();
    for (const r of records) {
      let list = byNode.get(r.nodeId);
      if (!list) byNode.set(r.nodeId, (list = []));
      list.push(r);
    }
    const report: StatesReport = { statuses: {}, ...(full ? { states: {} } : {}) };
    await Promise.all(
      [...byNode.entries()].map(async ([nodeId, list]) => {
        let part: StatesReport;
        if (nodeId === this.identity.node.id) {
          part = await this.local(list, full);
        } else {
          const address = addresses.get(nodeId);
          const project = list[0].project;
          const names = list.map((r) => r.name);
          try {
            if (!address) throw new Error('no address');
            part = await this.peers.lxd<StatesReport>(address, 'POST', `/internal/instances/states`, { project, names, full }, { timeoutMs: PEER_TIMEOUT_MS });
          } catch {
            part = { statuses: Object.fromEntries(names.map((n) => [n, UNREACHABLE_STATUS])), ...(full ? { states: Object.fromEntries(names.map((n) => [n, unreachableStateJson()])) } : {}) };
          }
        }
        Object.assign(report.statuses, part.statuses);
        if (full && part.states) Object.assign(report.states!, part.states);
      }),
    );
    return report;
  }
}
