/**
 * Reconciles a Fan network on one member: reads the host's state, plans the desired state,
 * diffs, applies the changes as batches, then reads back and verifies that nothing is left to
 * change. Running it again with the same input changes nothing. Calls on one reconciler are
 * serialised.
 */
import { CommandRunner, commandRunnerFor } from './command-runner';
import { FanApplier } from './fan-applier';
import { describeFanChange, FanChange } from './fan-change';
import { CommandStep, renderCommandSteps } from './fan-command-steps';
import { diffFanState, diffFanTeardown } from './fan-diff';
import { FanVerificationError } from './fan-errors';
import { canonicalUnderlayAddress, FanMember } from './fan-mapping';
import type { FanNetworkConfig } from './fan-network-config';
import { fanOwnership, fanSysctls, findSelfMember, planFan } from './fan-plan';
import type { FanActualState, FanDesiredState } from './fan-state';
import { FanStateReader, findUnderlayInterface } from './fan-state-reader';

export interface FanReconcileRequest {
  readonly network: FanNetworkConfig;
  readonly members: readonly FanMember[];
  /** Name of the member this host is. */
  readonly self: string;
}

export interface FanPlanReport {
  readonly desired: FanDesiredState;
  readonly actual: FanActualState;
  readonly changes: readonly FanChange[];
  readonly steps: readonly CommandStep[];
}

export interface FanApplyReport {
  /** The changes made, in order; empty when the host already matched. */
  readonly changes: readonly FanChange[];
  readonly steps: readonly CommandStep[];
}

export class FanReconciler {
  private readonly reader: FanStateReader;
  private readonly applier: FanApplier;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(runner: CommandRunner) {
    this.reader = new FanStateReader(runner);
    this.applier = new FanApplier(runner);
  }

  /** A reconciler whose commands run in network namespace `netns`, or in the current one. */
  static forNetns(netns?: string): FanReconciler {
    return new FanReconciler(commandRunnerFor(netns));
  }

  /** What reconciling would change, without changing anything. */
  plan(request: FanReconcileRequest): Promise<FanPlanReport> {
    return this.serialised(() => this.planNow(request));
  }

  /** Brings the host to the desired state of `request` and verifies it. */
  reconcile(request: FanReconcileRequest): Promise<FanApplyReport> {
    return this.serialised(async () => {
      const report = await this.planNow(request);
      if (report.changes.length === 0) return { changes: [], steps: [] };
      await this.applier.apply(report.steps);
      const after = await this.planNow(request);
      this.verify(`reconciling network ${request.network.bridgeName} on member "${request.self}"`, after.changes);
      return { changes: report.changes, steps: report.steps };
    });
  }

  /** Removes everything the network owns from the host, and verifies that it is gone. */
  teardown(network: FanNetworkConfig): Promise<FanApplyReport> {
    return this.serialised(async () => {
      const ownership = fanOwnership(network);
      const { actual } = await this.reader.read(ownership, []);
      const changes = diffFanTeardown(ownership, actual);
      if (changes.length === 0) return { changes: [], steps: [] };
      const steps = renderCommandSteps(changes);
      await this.applier.apply(steps);
      const after = await this.reader.read(ownership, []);
      this.verify(`tearing down network ${network.bridgeName}`, diffFanTeardown(ownership, after.actual));
      return { changes, steps };
    });
  }

  private async planNow(request: FanReconcileRequest): Promise<FanPlanReport> {
    const ownership = fanOwnership(request.network);
    const sysctlKeys = fanSysctls(request.network).map((s) => s.key);
    const { actual, interfaces } = await this.reader.read(ownership, sysctlKeys);
    const selfMember = findSelfMember(request.members, request.self);
    const underlay = findUnderlayInterface(interfaces, canonicalUnderlayAddress(selfMember), selfMember.name, ownership);
    const desired = planFan({ network: request.network, members: request.members, self: request.self, underlay });
    const changes = diffFanState(desired, actual);
    return { desired, actual, changes, steps: renderCommandSteps(changes) };
  }

  private verify(what: string, remaining: readonly FanChange[]): void {
    if (remaining.length === 0) return;
    const descriptions = remaining.map(describeFanChange);
    throw new FanVerificationError(
      `${what}: after applying, the host still differs from the desired state: ${descriptions.join('; ')}`,
      descriptions,
    );
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
