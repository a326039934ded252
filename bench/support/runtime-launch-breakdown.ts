/**
 * Where the time of one `lxc launch` went, from the daemon's own operations: the client's create
 * operation ("Creating instance") and then its start operation ("Starting instance"), each with
 * created_at and updated_at (its last change: the final status). They are read right after the
 * launch from GET /1.0/operations?recursion=1, which lists every member's operations (LXD keeps a
 * finished one for 5 s, Cubed for 10 s), and set against the wall clock of the client process.
 */
import { LxdApi } from '../../deploy/local-cluster/lxd-api';
import { roundSeconds } from './runtime-samples';
import type { LxcRun } from './runtime-lxc-cli';

interface OperationView {
  id: string;
  description: string;
  status: string;
  created_at: string;
  updated_at: string;
  resources: Record<string, string[]> | null;
  location?: string;
}

export interface LaunchBreakdown {
  /** From the client's start until the create operation existed (client start, GET /1.0, image lookups, the events websocket, placement and forwarding). */
  before_create_s: number;
  create_s: number;
  /** From the end of the create operation until the start operation existed. */
  between_s: number;
  start_s: number;
  /** From the end of the start operation until the client had exited. */
  after_start_s: number;
  create_location?: string;
}

export const BREAKDOWN_PARTS = ['before_create_s', 'create_s', 'between_s', 'start_s', 'after_start_s'] as const;

const seconds = (fromMs: number, toMs: number): number => roundSeconds((toMs - fromMs) / 1000);

function operationOf(ops: OperationView[], instance: string, description: string): OperationView | undefined {
  const url = `/1.0/instances/${instance}`;
  return ops
    .filter((o) => o.description === description && o.status === 'Success' && (o.resources?.instances ?? []).includes(url))
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
}

async function operationsOn(socketPath: string): Promise<OperationView[]> {
  const api = new LxdApi(socketPath);
  try {
    const grouped = await api.get<Record<string, OperationView[]>>('/1.0/operations?recursion=1', 10_000);
    return Object.values(grouped ?? {}).flat();
  } finally {
    api.close();
  }
}

/** The launch's breakdown, asking the members in turn until one lists both operations; undefined if none does. */
export async function launchBreakdown(socketPaths: string[], instance: string, run: LxcRun): Promise<LaunchBreakdown | undefined> {
  for (const socketPath of socketPaths) {
    const ops = await operationsOn(socketPath).catch(() => []);
    const create = operationOf(ops, instance, 'Creating instance');
    const start = operationOf(ops, instance, 'Starting instance');
    if (!create || !start) continue;
    const t = (s: string): number => Date.parse(s);
    return {
      before_create_s: seconds(run.startedAtMs, t(create.created_at)),
      create_s: seconds(t(create.created_at), t(create.updated_at)),
      between_s: seconds(t(create.updated_at), t(start.created_at)),
      start_s: seconds(t(start.created_at), t(start.updated_at)),
      after_start_s: seconds(t(start.updated_at), run.endedAtMs),
      ...(create.location ? { create_location: create.location } : {}),
    };
  }
  return undefined;
}
