/**
 * The frame of a benchmark run that brings clusters up: a temporary root directory (searchable by
 * everybody: unprivileged containers' root filesystems and the members' storage pools lie below
 * it), a teardown stack that removes everything the run made (the root last, after unmounting
 * what is mounted below it), run at the end, after a failure and on an interrupt.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { guardInterrupts } from '../../deploy/local-cluster/interrupt-guard';
import { unmountAll } from './lxd-daemon';
import { TeardownStack } from './teardown-stack';

export interface BenchRun {
  root: string;
  teardowns: TeardownStack;
  /** Aborted on an interrupt (the guard then tears down and exits). */
  abort: AbortSignal;
}

export async function withBenchRun(prefix: string, log: (line: string) => void, body: (run: BenchRun) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(root, 0o711);
  const teardowns = new TeardownStack();
  teardowns.add(`the directory ${root}`, async () => {
    await unmountAll(root);
    fs.rmSync(root, { recursive: true, force: true });
  });
  const abort = new AbortController();
  const guard = guardInterrupts(async () => {
    abort.abort();
    await teardowns.runAll(log);
  }, log);
  try {
    await body({ root, teardowns, abort: abort.signal });
  } catch (err) {
    if (abort.signal.aborted) return; // the interrupt guard cleans up, then exits
    throw err;
  } finally {
    if (!abort.signal.aborted) {
      guard.release();
      await teardowns.runAll(log);
    }
  }
}
