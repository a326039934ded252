/**
 * The operations running on this member: created by API handlers, run in the background, waited
 * for and cancelled through /1.0/operations. Finished operations stay visible for a while (as in
 * LXD) and are then forgotten.
 */
import { Injectable } from '@nestjs/common';
import { EventBus } from '../events/event-bus';
import { Operation, type OperationJson, type OperationSpec } from './operation';

/** How long a finished operation stays listed (ms). */
const KEEP_FINISHED_MS = 10_000;

@Injectable()
export class OperationsManager {
  private readonly operations = new Map<string, Operation>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly events: EventBus) {
    this.sweeper = setInterval(() => this.sweep(), 2000);
    this.sweeper.unref();
  }

  /** Creates an operation, publishes it, and starts its work (if any) on the next tick. */
  create(spec: OperationSpec): Operation {
    const op = new Operation(spec, this.events.location, (o) => this.events.publish('operation', o.toJSON(), spec.project ?? 'default'));
    this.operations.set(op.id, op);
    this.events.publish('operation', op.toJSON(), spec.project ?? 'default');
    if (spec.run) {
      setImmediate(() => {
        op.transition('Running');
        spec.run!(op).then(
          (metadata) => {
            if (metadata) op.setMetadata(metadata);
            op.transition('Success');
          },
          (err: unknown) => op.transition(op.status === 'Cancelling' ? 'Cancelled' : 'Failure', err instanceof Error ? err.message : String(err)),
        );
      });
    } else {
      op.transition('Running');
    }
    return op;
  }

  get(id: string): Operation | undefined {
    return this.operations.get(id);
  }

  list(): Operation[] {
    return [...this.operations.values()];
  }

  /**
   * Waits until the operation is done or `timeoutSeconds` passed (-1 or undefined: no limit);
   * returns its JSON either way, as LXD's /wait does.
   */
  async wait(op: Operation, timeoutSeconds?: number): Promise<OperationJson> {
    if (!op.done) {
      if (timeoutSeconds === undefined || timeoutSeconds < 0) {
        await op.finished();
      } else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([op.finished(), new Promise<void>((r) => (timer = setTimeout(r, timeoutSeconds * 1000)))]);
        clearTimeout(timer);
      }
    }
    return op.toJSON();
  }

  /** Cancels a cancellable operation; throws a plain Error when it cannot be cancelled. */
  async cancel(op: Operation): Promise<void> {
    if (op.done) throw new Error('Only running operations can be cancelled');
    if (!op.mayCancel) throw new Error("This operation can't be cancelled");
    const running = op.spec.run !== undefined;
    op.transition('Cancelling');
    await op.spec.cancel!(op);
    // Work that ends by itself reports Cancelled from its rejection; anything else ends here.
    if (!running) op.transition('Cancelled');
  }

  /** Fails every unfinished operation (daemon shutdown). */
  shutdown(): void {
    clearInterval(this.sweeper);
    for (const op of this.operations.values()) if (!op.done) op.transition('Failure', 'the daemon is shutting down');
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, op] of this.operations) {
      if (op.done && op.finishedAt !== undefined && now - op.finishedAt > KEEP_FINISHED_MS) this.operations.delete(id);
    }
  }
}
