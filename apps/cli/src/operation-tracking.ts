import { withoutQuery } from './api-path';
import type { LxdClient } from './client';
import { CubedError } from './cubed-error';
import type { OperationInfo } from './lxd-types';
import { watchOperation } from './operation-watch';
import { waitForOperationEnd } from './operation-wait';
import type { ProgressRenderer } from './progress-renderer';
import type { Terminal } from './terminal';

/** What waiting for an operation shows and listens to. */
export interface TrackingOptions {
  /** Shows the operation's progress metadata (lxc's UpdateOp), and is done when the wait ends. */
  progress?: ProgressRenderer;
  /** Its SIGINT cancels the operation. */
  terminal?: Terminal;
}

/**
 * Waits for an operation the way lxc's commands do (utils.CancelableWait with a progress renderer): until it is
 * final (GET <operation>/wait), showing the progress it reports in its metadata, under keys that end in
 * `_progress` (`download_progress`, `create_instance_from_image_unpack_progress`: the newest stage), and
 * cancelling it on an interrupt (DELETE /1.0/operations/<id>). A failed operation throws its error, as does a
 * cancelled one ("Remote operation canceled by user"); three interrupts that could not cancel it give up waiting.
 * Returns the final operation.
 */
export async function trackOperation(
  client: LxdClient,
  operationUrl: string,
  options: TrackingOptions = {},
): Promise<OperationInfo> {
  const { progress, terminal } = options;
  const shown = new Map<string, string>();
  const stopWatching = progress?.visible
    ? watchOperation(client, operationUrl, (op) => {
        const status = changedProgress(op, shown);
        if (status !== undefined) progress.update(status);
      })
    : () => undefined;
  let releaseSignals = () => undefined as void;
  const interrupted = new Promise<never>((_resolve, reject) => {
    if (!terminal) return;
    let count = 0;
    releaseSignals = terminal.trapSignals(['SIGINT'], () => {
      const path = withoutQuery(operationUrl);
      client.request('DELETE', path).then(
        () => reject(new CubedError('Remote operation canceled by user')),
        (err: Error) => {
          count++;
          if (count === 3) {
            reject(new CubedError('User signaled us three times, exiting. The remote operation will keep running'));
            return;
          }
          progress?.warn(`${err.message} (interrupt two more times to force)`, 5000);
        },
      );
    });
  });
  try {
    const op = await Promise.race([waitForOperationEnd<OperationInfo>(client, operationUrl), interrupted]);
    if (op.err) throw new CubedError(op.err);
    return op;
  } finally {
    releaseSignals();
    stopWatching();
    progress?.done();
  }
}

/**
 * The progress status to show after an update (`*_progress` metadata): a key that appeared, else the first one
 * whose value changed; undefined when nothing changed. Remembers what was seen.
 */
function changedProgress(op: OperationInfo, shown: Map<string, string>): string | undefined {
  let appeared: string | undefined;
  let changed: string | undefined;
  for (const [key, value] of Object.entries(op.metadata ?? {})) {
    if (!key.endsWith('_progress') || typeof value !== 'string') continue;
    if (!shown.has(key)) appeared ??= value;
    else if (shown.get(key) !== value) changed ??= value;
    shown.set(key, value);
  }
  return appeared ?? changed;
}
