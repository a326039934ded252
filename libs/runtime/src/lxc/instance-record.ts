/**
 * What the LXC driver keeps about an instance, next to LXC's config: `<lxcpath>/<name>/instance.json`.
 * The LXC config is always regenerated from it, so that it reflects the current limits and host layout.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { IdmapInfo, InstanceInfo, ResolvedNicDevice } from '../driver/runtime-driver';
import { instanceStateErrors } from '../driver/instance-state-errors';
import { RuntimeError } from '../errors/runtime-error';

export interface InstanceRecord {
  version: 1;
  name: string;
  hostname: string;
  privileged: boolean;
  imageDirectory: string;
  architecture: string;
  config: Record<string, string>;
  nics: ResolvedNicDevice[];
  haltSignal: string;
  idmap: IdmapInfo | null;
  /** Whether root owns the idmap range in /etc/subuid and /etc/subgid (see `idmap.ts`). */
  idmapDelegated: boolean;
  createdAt: string;
}

export const RECORD_FILE = 'instance.json';

export async function readInstanceRecord(instanceDirectory: string, name: string): Promise<InstanceRecord> {
  let text: string;
  try {
    text = await fs.readFile(path.join(instanceDirectory, RECORD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw instanceStateErrors.notFound(name);
    throw new RuntimeError('Failed', `Cannot read the record of instance "${name}"`, (error as Error).message);
  }
  const record = JSON.parse(text) as InstanceRecord;
  if (record.version !== 1) throw new RuntimeError('Failed', `Instance "${name}" has a record of unknown version ${String(record.version)}`);
  return record;
}

/** Writes a file so that readers see either the old or the new content, never a mix. */
export async function writeFileAtomically(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.tmp`;
  await fs.writeFile(temporary, content, { mode });
  await fs.rename(temporary, file);
}

export async function writeInstanceRecord(instanceDirectory: string, record: InstanceRecord): Promise<void> {
  await writeFileAtomically(path.join(instanceDirectory, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

export function instanceInfo(record: InstanceRecord): InstanceInfo {
  return {
    name: record.name,
    hostname: record.hostname,
    privileged: record.privileged,
    imageDirectory: record.imageDirectory,
    architecture: record.architecture,
    config: { ...record.config },
    nics: record.nics.map((nic) => ({ ...nic })),
    haltSignal: record.haltSignal,
    idmap: record.idmap ? { ...record.idmap } : null,
    createdAt: new Date(record.createdAt),
  };
}
