/**
 * The local cluster's state directory: `cluster.json` (which also marks the directory as made by
 * the local cluster scripts, so nothing else is ever removed), one CUBED_DIR per member, the
 * daemons' logs and the preseeds they were initialised with.
 *
 *   <dir>/cluster.json   <dir>/m1/ … <dir>/m4/   <dir>/logs/m1.log …   <dir>/preseeds/m1.yaml …
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const STATE_FILE = 'cluster.json';
export const STATE_KIND = 'cubed-local-cluster';
export const DEFAULT_STATE_DIR = '/tmp/cubed-local-cluster';
/** sun_path is 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH = 107;

export type JoinKind = 'bootstrap' | 'token' | 'trust password';

export interface MemberState {
  name: string;
  /** host:port of its cluster and HTTPS API. */
  address: string;
  /** Its CUBED_DIR. */
  dir: string;
  log: string;
  pid?: number;
  joined_by: JoinKind;
}

export interface ClusterState {
  kind: typeof STATE_KIND;
  created_at: string;
  port?: number;
  trust_password: string;
  members: MemberState[];
  /** The network namespaces of a `--netns` cluster, removed by cluster:down. */
  netns?: string[];
}

export interface StateLayout {
  dir: string;
  memberDir(name: string): string;
  logFile(name: string): string;
  preseedFile(name: string): string;
}

export function stateLayout(dir: string): StateLayout {
  const root = path.resolve(dir);
  return {
    dir: root,
    memberDir: (name) => path.join(root, name),
    logFile: (name) => path.join(root, 'logs', `${name}.log`),
    preseedFile: (name) => path.join(root, 'preseeds', `${name}.yaml`),
  };
}

export const socketPathOf = (memberDir: string): string => path.join(memberDir, 'unix.socket');

/** The state directory to use: `--dir`, else $CUBED_CLUSTER_DIR, else /tmp/cubed-local-cluster. */
export function resolveStateDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag || env.CUBED_CLUSTER_DIR || DEFAULT_STATE_DIR);
}

export function assertSocketPathsFit(layout: StateLayout, names: string[]): void {
  const longest = names.map((n) => socketPathOf(layout.memberDir(n))).sort((a, b) => b.length - a.length)[0];
  if (longest && Buffer.byteLength(longest) > MAX_SOCKET_PATH) {
    throw new Error(`the state directory ${layout.dir} is too long: ${longest} would exceed the ${MAX_SOCKET_PATH}-byte limit of a unix socket path`);
  }
}

/** cluster.json, or undefined when the directory has none. Throws if it exists but is not ours. */
export function readClusterState(dir: string): ClusterState | undefined {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let state: ClusterState;
  try {
    state = JSON.parse(text) as ClusterState;
  } catch {
    throw new Error(`${file} is not JSON`);
  }
  if (state.kind !== STATE_KIND) throw new Error(`${file} was not written by the local cluster scripts (kind ${JSON.stringify(state.kind)})`);
  return state;
}

export function writeClusterState(dir: string, state: ClusterState): void {
  const file = path.join(dir, STATE_FILE);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function isMarkedStateDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, STATE_FILE));
}

export function isEmptyDir(dir: string): boolean {
  return fs.readdirSync(dir).length === 0;
}
