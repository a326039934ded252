import { withoutQuery } from './api-path';
import { CubedError } from './cubed-error';
import type { LxdClient } from './client';

/** The fields of an LXD operation that waiting looks at. */
export interface OperationState {
  id?: string;
  status?: string;
  status_code?: number;
  err?: string;
}

/** Status codes from 200 on are final: Success 200, Failure 400, Cancelled 401. */
const FINAL_STATUS = 200;

/** Pause before asking again when a wait came back before the operation finished. */
const RETRY_PAUSE_MS = 100;

/**
 * Waits for an operation with GET <operation>/wait until it is final, and returns it. The operation URL may carry
 * a query (LXD answers `/1.0/operations/<id>?project=default` for some creations): it is dropped before `/wait` is
 * appended, the client adds its own project. A wait that returns before the end (a server-side timeout) is
 * repeated. A final operation with an error throws it, like LXD's client.
 */
export async function waitForOperation(client: LxdClient, operationUrl: string): Promise<OperationState> {
  const op = await waitForOperationEnd(client, operationUrl);
  if (op.err) throw new CubedError(op.err);
  return op;
}

/** Waits like waitForOperation, and returns the final operation even when it failed (its `err` says why). */
export async function waitForOperationEnd<T extends OperationState = OperationState>(
  client: LxdClient,
  operationUrl: string,
): Promise<T> {
  const waitPath = `${withoutQuery(operationUrl).replace(/\/+$/, '')}/wait`;
  for (;;) {
    const op = await client.request<T>('GET', waitPath, undefined, { timeoutMs: null });
    if (op === null || typeof op !== 'object') throw new CubedError(`the daemon sent no operation for ${waitPath}`);
    const final =
      (op.status_code ?? 0) >= FINAL_STATUS ||
      op.status === 'Success' ||
      op.status === 'Failure' ||
      op.status === 'Cancelled';
    if (!final) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      continue;
    }
    return op;
  }
}
