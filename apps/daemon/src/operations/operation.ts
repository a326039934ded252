/**
 * One background operation, as LXD models it: a class (task, websocket, token), a status that only
 * moves forward (Pending → Running → Success | Failure | Cancelled), resources it concerns,
 * metadata, and the member it runs on. Every change is published as an `operation` event.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { lxdTimestamp } from '../events/lxd-event';

export type OperationClass = 'task' | 'websocket' | 'token';

export type OperationStatus = 'Pending' | 'Running' | 'Cancelling' | 'Success' | 'Failure' | 'Cancelled';

export const STATUS_CODES: Record<OperationStatus, number> = {
  Pending: 105,
  Running: 103,
  Cancelling: 104,
  Success: 200,
  Failure: 400,
  Cancelled: 401,
};

/** The JSON of an operation in the API. */
export interface OperationJson {
  id: string;
  class: OperationClass;
  description: string;
  created_at: string;
  updated_at: string;
  status: OperationStatus;
  status_code: number;
  resources: Record<string, string[]> | null;
  metadata: Record<string, unknown> | null;
  may_cancel: boolean;
  err: string;
  location: string;
}

/**
 * How the websockets of a `websocket` operation connect, through
 * GET /1.0/operations/<id>/websocket?secret=<secret> (see operation-websockets.ts).
 */
export interface OperationWebsockets {
  /**
   * Decides on a connection before the websocket upgrade: throws an LxdError when `secret` may not
   * connect (now), else reserves its place and returns what takes the websocket once it is open.
   */
  accept(secret: string): (socket: WebSocket) => void;
}

export interface OperationSpec {
  class: OperationClass;
  description: string;
  resources?: Record<string, string[]> | null;
  metadata?: Record<string, unknown> | null;
  /** The work; its resolved value (an object) becomes the operation's metadata when given. */
  run?: (op: Operation) => Promise<Record<string, unknown> | void>;
  /** Makes the operation cancellable; it should make `run` end (or, for a token, revoke it). */
  cancel?: (op: Operation) => Promise<void> | void;
  /** Project of the operation URL (`?project=` when not default). */
  project?: string;
  /** The websockets a `websocket` operation offers its clients. */
  websockets?: OperationWebsockets;
}

export class Operation {
  readonly id = randomUUID();
  readonly createdAt = lxdTimestamp();
  private updatedAt = this.createdAt;
  private state: OperationStatus = 'Pending';
  private error = '';
  private meta: Record<string, unknown> | null;
  private readonly settled: Promise<void>;
  private settle!: () => void;
  /** When the operation reached a final status (ms since the epoch). */
  finishedAt?: number;

  constructor(
    readonly spec: OperationSpec,
    readonly location: string,
    private readonly changed: (op: Operation) => void,
  ) {
    this.meta = spec.metadata ?? null;
    this.settled = new Promise((r) => (this.settle = r));
  }

  get status(): OperationStatus {
    return this.state;
  }

  get done(): boolean {
    return this.state === 'Success' || this.state === 'Failure' || this.state === 'Cancelled';
  }

  get url(): string {
    const project = this.spec.project && this.spec.project !== 'default' ? `?project=${encodeURIComponent(this.spec.project)}` : '';
    return `/1.0/operations/${this.id}${project}`;
  }

  get mayCancel(): boolean {
    return this.spec.cancel !== undefined && !this.done;
  }

  /** Resolves when the operation reaches a final status. */
  finished(): Promise<void> {
    return this.settled;
  }

  setMetadata(metadata: Record<string, unknown> | null): void {
    this.meta = metadata;
    this.touch();
  }

  /** Moves to `status` (ignored once final). */
  transition(status: OperationStatus, err = ''): void {
    if (this.done || status === this.state) return;
    this.state = status;
    if (err) this.error = err;
    if (this.done) this.finishedAt = Date.now();
    this.touch();
    if (this.done) this.settle();
  }

  toJSON(): OperationJson {
    return {
      id: this.id,
      class: this.spec.class,
      description: this.spec.description,
      created_at: this.createdAt,
      updated_at: this.updatedAt,
      status: this.state,
      status_code: STATUS_CODES[this.state],
      resources: this.spec.resources ?? null,
      metadata: this.meta,
      may_cancel: this.mayCancel,
      err: this.error,
      location: this.location,
    };
  }

  private touch(): void {
    this.updatedAt = lxdTimestamp();
    this.changed(this);
  }
}
