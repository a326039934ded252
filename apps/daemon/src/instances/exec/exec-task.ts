/**
 * An exec without `wait-for-websocket`, as LXD runs it: a `task` operation that runs the command
 * with no input, its output recorded to files (`record-output`, their URLs in the metadata as
 * `output`) or dropped, and ends with `return` (the exit status) in its metadata. It fails like a
 * websocket exec when the command cannot be found, executed or started.
 */
import type { Writable } from 'node:stream';
import type { ExecRequest, RuntimeDriver } from '@app/runtime';
import type { Operation } from '../../operations/operation';
import { outputAfterExit } from './command-output-grace';
import { execExitError } from './exec-exit';

/** Where recorded output goes: a file per stream, and the URLs that serve them. */
export interface ExecRecording {
  stdout: Writable;
  stderr: Writable;
  urls: { '1': string; '2': string };
}

export interface ExecTaskOptions {
  driver: RuntimeDriver;
  runtimeName: string;
  /** A command on pipes (`interactive` is not used). */
  request: ExecRequest;
  /** Opens the recording for the operation; absent when the output is dropped. */
  record?: (op: Operation) => Promise<ExecRecording>;
  outputGraceMs?: number;
  onStarted?: () => void;
}

/** Resolves once `target` has everything written to it (or failed). */
function finished(target: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (target.writableFinished || target.destroyed) return resolve();
    target.once('finish', () => resolve());
    target.once('error', () => resolve());
    target.once('close', () => resolve());
  });
}

/** The operation's work: resolves to its final metadata, or rejects with its error. */
export async function runExecTask(op: Operation, options: ExecTaskOptions): Promise<Record<string, unknown>> {
  const recording = options.record ? await options.record(op) : undefined;
  const metadata: Record<string, unknown> = recording ? { output: recording.urls } : {};
  let handle;
  try {
    handle = await options.driver.exec(options.runtimeName, { ...options.request, interactive: undefined });
  } catch (err) {
    recording?.stdout.end();
    recording?.stderr.end();
    throw err;
  }
  options.onStarted?.();
  handle.stdin.on('error', () => undefined);
  handle.stdin.end();
  const streams = [handle.stdout, handle.stderr!];
  const read = streams.map((stream) => new Promise<void>((resolve) => stream.once('close', () => resolve())));
  if (recording) {
    handle.stdout.pipe(recording.stdout);
    handle.stderr!.pipe(recording.stderr);
  } else {
    for (const stream of streams) stream.resume();
  }
  const exitCode = await handle.exitCode;
  await outputAfterExit(read, streams, options.outputGraceMs);
  if (recording) {
    // Ended here too when the output was cut short (piping ends them only at the end of the output).
    for (const file of [recording.stdout, recording.stderr]) if (!file.writableEnded) file.end();
    await Promise.all([finished(recording.stdout), finished(recording.stderr)]);
  }
  metadata.return = exitCode;
  const error = execExitError(exitCode);
  if (error) {
    op.setMetadata(metadata);
    throw new Error(error);
  }
  return metadata;
}
