/**
 * The recorded output of execs run with `record-output` (LXD's exec-output logs): for each instance
 * a directory `<state dir>/exec-output/<project>/<instance>/` of files `exec_<operation>.stdout` and
 * `exec_<operation>.stderr`, served at /1.0/instances/<name>/logs/exec-output/<file>. An instance's
 * files go with it when it is deleted (`removeInstance`) and follow it when renamed (`renameInstance`).
 */
import { createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { badRequest, LxdError, notFound } from '../../http/lxd-error';
import { StateDir } from '../../identity/state-dir';

export interface ExecOutputFiles {
  stdout: { name: string; stream: WriteStream };
  stderr: { name: string; stream: WriteStream };
}

/** Whether `file` names an exec-output file (and nothing else: no directories, no other logs). */
export function isExecOutputFileName(file: string): boolean {
  return /^exec_[^/\0]+\.(stdout|stderr)$/.test(file) && file !== '.' && file !== '..';
}

function assertPathComponent(what: string, value: string): void {
  if (value === '' || value === '.' || value === '..' || value.includes('/') || value.includes('\0')) {
    throw badRequest(`Invalid ${what} name "${value}"`);
  }
}

function assertFileName(file: string): void {
  if (!isExecOutputFileName(file)) throw badRequest(`Exec record-output file name "${file}" not valid`);
}

function opened(stream: WriteStream): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    stream.once('open', () => resolve(stream));
    stream.once('error', reject);
  });
}

@Injectable()
export class ExecOutputStore {
  constructor(private readonly stateDir: StateDir) {}

  /** The directory of an instance's exec-output files. */
  directory(project: string, instance: string): string {
    assertPathComponent('project', project);
    assertPathComponent('instance', instance);
    return path.join(this.stateDir.path, 'exec-output', project, instance);
  }

  /** Creates (or truncates) the stdout and stderr files of operation `operationId`. */
  async create(project: string, instance: string, operationId: string): Promise<ExecOutputFiles> {
    assertPathComponent('operation', operationId);
    const dir = this.directory(project, instance);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const stdoutName = `exec_${operationId}.stdout`;
    const stderrName = `exec_${operationId}.stderr`;
    const stdout = await opened(createWriteStream(path.join(dir, stdoutName), { mode: 0o600 }));
    try {
      const stderr = await opened(createWriteStream(path.join(dir, stderrName), { mode: 0o600 }));
      return { stdout: { name: stdoutName, stream: stdout }, stderr: { name: stderrName, stream: stderr } };
    } catch (err) {
      stdout.destroy();
      throw err;
    }
  }

  /** The instance's exec-output file names, sorted. */
  async list(project: string, instance: string): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.directory(project, instance));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names.filter(isExecOutputFileName).sort();
  }

  /** A file for reading, with its size; 404 when there is no such file. */
  async open(project: string, instance: string, file: string): Promise<{ stream: ReadStream; size: number }> {
    assertFileName(file);
    const full = path.join(this.directory(project, instance), file);
    const handle = await fs.open(full, 'r').catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? notFound(`Exec record-output file "${file}" not found`) : new LxdError(500, err.message);
    });
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (err) {
      await handle.close();
      throw err;
    }
    return { stream: handle.createReadStream({ autoClose: true }), size };
  }

  async delete(project: string, instance: string, file: string): Promise<void> {
    assertFileName(file);
    try {
      await fs.unlink(path.join(this.directory(project, instance), file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`Exec record-output file "${file}" not found`);
      throw err;
    }
  }

  /** Removes every exec-output file of an instance (it is being deleted). */
  async removeInstance(project: string, instance: string): Promise<void> {
    await fs.rm(this.directory(project, instance), { recursive: true, force: true });
  }

  /** Moves an instance's exec-output files to its new name. */
  async renameInstance(project: string, from: string, to: string): Promise<void> {
    const target = this.directory(project, to);
    await fs.rm(target, { recursive: true, force: true });
    try {
      await fs.rename(this.directory(project, from), target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
