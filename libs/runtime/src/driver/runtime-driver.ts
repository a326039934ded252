/**
 * The container runtime as the daemon sees it: create system containers from unpacked images, drive
 * their lifecycle, look inside them (state, exec, files, limits, logs) and snapshot their root
 * filesystems. `LxcDriver` implements it with LXC; `FakeRuntimeDriver` implements it in memory for
 * unit tests of code built on top of it.
 *
 * Names follow LXD's rules (see `instance-name.ts`); `config` maps use LXD's keys (`limits.memory`...).
 */
import type { Readable, Writable } from 'node:stream';

/** LXD's instance statuses, reduced to what a container runtime can observe. */
export type InstanceStatus = 'Running' | 'Stopped' | 'Frozen' | 'Error';

/** LXD's numeric status codes for `InstanceStatus`. */
export const INSTANCE_STATUS_CODES: Readonly<Record<InstanceStatus, number>> = {
  Running: 103,
  Stopped: 102,
  Frozen: 110,
  Error: 112,
};

/** A static IPv4 configuration for a NIC. */
export interface NicIpv4 {
  /** Dotted quad, e.g. `240.0.46.20`. */
  address: string;
  /** Prefix length, 0–32. */
  prefixLength: number;
  /** Broadcast address; computed from address and prefix when omitted (LXC's own default is wrong). */
  broadcast?: string;
  /** Default gateway inside the container. */
  gateway?: string;
}

/** A veth NIC whose host end is attached to an existing bridge. */
export interface NicDevice {
  /** Interface name inside the container, e.g. `eth0`. */
  name: string;
  /** Bridge on the host (in the driver's network namespace) to attach the host end to. */
  bridge: string;
  /** Host-side veth name (at most 15 characters); generated (`veth` + 8 hex digits) when omitted. */
  hostName?: string;
  /** MTU of both ends. */
  mtu?: number;
  /** MAC address inside the container; generated in LXD's `00:16:3e` range when omitted. */
  hwaddr?: string;
  ipv4?: NicIpv4;
}

/** A NIC after creation: every generated value is fixed and kept for the life of the instance. */
export interface ResolvedNicDevice {
  name: string;
  bridge: string;
  hostName: string;
  mtu?: number;
  hwaddr: string;
  ipv4?: Required<Pick<NicIpv4, 'address' | 'prefixLength' | 'broadcast'>> & Pick<NicIpv4, 'gateway'>;
}

/** Which LXD template trigger a creation fires. */
export type CreateTrigger = 'create' | 'copy';

/** Everything needed to create an instance. */
export interface InstanceSpec {
  name: string;
  /** An unpacked LXD image: `metadata.yaml`, `rootfs/` and optionally `templates/`. */
  imageDirectory: string;
  /** Privileged containers share the host's uids; unprivileged ones get an idmap. */
  privileged: boolean;
  /** Hostname inside the container; defaults to `name`. */
  hostname?: string;
  /**
   * The instance's (expanded) LXD configuration. `limits.*` keys are applied as cgroup limits (an
   * unsupported `limits.*` key is refused); every key is visible to image templates through `config_get`.
   */
  config?: Readonly<Record<string, string>>;
  nics?: readonly NicDevice[];
  /**
   * Signal that asks the container's init to shut down cleanly. Defaults from the image's `/sbin/init`:
   * SIGUSR1 for busybox, SIGRTMIN+3 for systemd, SIGPWR otherwise.
   */
  haltSignal?: string;
  /** Template trigger fired by the creation; `create` unless the instance is a copy. */
  trigger?: CreateTrigger;
}

/** What the runtime knows about an existing instance. */
export interface InstanceInfo {
  name: string;
  hostname: string;
  privileged: boolean;
  imageDirectory: string;
  architecture: string;
  config: Readonly<Record<string, string>>;
  nics: readonly ResolvedNicDevice[];
  haltSignal: string;
  /** The uid/gid map of an unprivileged container (container id 0 maps to `hostUid`/`hostGid`). */
  idmap: IdmapInfo | null;
  createdAt: Date;
}

export interface IdmapInfo {
  hostUid: number;
  hostGid: number;
  size: number;
}

export interface StopOptions {
  /** Seconds to wait for a clean shutdown before killing; default 30. */
  timeoutSeconds?: number;
  /** Kill at once, without asking init to shut down. */
  force?: boolean;
}

export interface MemoryState {
  usage: number;
  usagePeak: number;
  swapUsage: number;
  swapUsagePeak: number;
}

export interface NetworkAddress {
  family: 'inet' | 'inet6';
  address: string;
  /** Prefix length as a string, like LXD. */
  netmask: string;
  /** `global`, `link` or `local` (host scope), like LXD. */
  scope: string;
}

export interface NetworkCounters {
  bytesReceived: number;
  bytesSent: number;
  packetsReceived: number;
  packetsSent: number;
  errorsReceived: number;
  errorsSent: number;
  packetsDroppedInbound: number;
  packetsDroppedOutbound: number;
}

export interface NetworkInterfaceState {
  addresses: NetworkAddress[];
  counters: NetworkCounters;
  hwaddr: string;
  /** Host-side veth name for the instance's NICs, empty for other interfaces (lo). */
  hostName: string;
  mtu: number;
  state: 'up' | 'down';
  type: 'broadcast' | 'loopback' | 'point-to-point';
}

export interface InstanceState {
  status: InstanceStatus;
  statusCode: number;
  /** Host pid of the container's init; 0 when not running. */
  pid: number;
  processes: number;
  memory: MemoryState;
  cpu: { usageNs: number };
  /** Interfaces inside the container, by name; null when not running. */
  network: Record<string, NetworkInterfaceState> | null;
  /** Why the status is `Error`. */
  error?: string;
}

/** Terminal size of an interactive exec. */
export interface WindowSize {
  columns: number;
  rows: number;
}

export interface ExecRequest {
  /** argv; `command[0]` is looked up in the container's PATH. */
  command: readonly string[];
  /** The environment of the command (LXC adds `container=lxc` and a default PATH when none is given). */
  environment?: Readonly<Record<string, string>>;
  /** Working directory inside the container; `/` by default. A different one needs `/bin/sh` in the container. */
  cwd?: string;
  uid?: number;
  gid?: number;
  /** With a window size, the command runs on a pty inside the container; otherwise on pipes. */
  interactive?: WindowSize;
}

/** A running command inside a container. */
export interface ExecHandle {
  readonly interactive: boolean;
  /** Input of the command (the pty input when interactive). Ending it closes stdin (non-interactive). */
  readonly stdin: Writable;
  /** Output of the command; for an interactive command, everything the pty shows. */
  readonly stdout: Readable;
  /** Error output of a non-interactive command; null when interactive (it is part of `stdout`). */
  readonly stderr: Readable | null;
  /** Sends a signal to the command itself (not to the tooling around it); a finished command ignores it. */
  signal(signal: NodeJS.Signals | number): Promise<void>;
  /** Resizes the pty of an interactive command. */
  resize(size: WindowSize): void;
  /** The command's exit code; 128+N when it was killed by signal N. */
  readonly exitCode: Promise<number>;
}

export type FileType = 'file' | 'directory' | 'symlink';

export interface FileOwnership {
  uid: number;
  gid: number;
  /** Permission bits (`0o7777` at most). */
  mode: number;
}

/** A path read from inside a container. Symlinks are reported as such, never followed at the last step. */
export type ContainerFile =
  | ({ type: 'file'; content: Buffer } & FileOwnership)
  | ({ type: 'directory'; entries: string[] } & FileOwnership)
  | ({ type: 'symlink'; target: string } & FileOwnership);

export interface DirectoryEntry extends FileOwnership {
  name: string;
  type: FileType | 'other';
  size: number;
}

export interface WriteFileRequest {
  /** Absolute path inside the container. */
  path: string;
  /** What to create; `file` by default. */
  type?: FileType;
  /** Content of a file. */
  content?: Buffer | string;
  /** Target of a symlink. */
  target?: string;
  /** Owner and mode; an existing file keeps its own unless given, a new one gets 0:0 and 0644/0755. */
  uid?: number;
  gid?: number;
  mode?: number;
  /** `append` adds to an existing file; `overwrite` (default) replaces its content. */
  write?: 'overwrite' | 'append';
  /** Create missing parent directories (0755, root-owned). */
  createParents?: boolean;
}

export interface DeleteFileOptions {
  /** Delete a non-empty directory with everything in it. */
  recursive?: boolean;
}

/** Limits as the kernel shows them for a running instance; null means unlimited. */
export interface AppliedLimits {
  memoryLimitBytes: number | null;
  memorySoftLimitBytes: number | null;
  /** Memory plus swap (cgroup v1) or swap alone (cgroup v2); null when unlimited. */
  memorySwapLimitBytes: number | null;
  /** CPUs the instance may run on, as a list like `0-1,3`. */
  cpuSet: string;
  cpuQuotaMicros: number | null;
  cpuPeriodMicros: number;
  /** cgroup v1 `cpu.shares`, or v2 `cpu.weight` converted to shares. */
  cpuShares: number;
  processesMax: number | null;
}

export interface InstanceLogFile {
  /** `lxc.log`, `lxc.log.old`, `console.log` or `lxc.conf`. */
  name: string;
  path: string;
  content: string;
}

export interface SnapshotInfo {
  name: string;
  createdAt: Date;
}

export interface RuntimeDriver {
  /** Creates a stopped instance: its root filesystem, its templates rendered, its container config. */
  create(spec: InstanceSpec): Promise<InstanceInfo>;
  info(name: string): Promise<InstanceInfo>;
  /** Names of all instances, sorted. */
  list(): Promise<string[]>;
  start(name: string): Promise<void>;
  stop(name: string, options?: StopOptions): Promise<void>;
  restart(name: string, options?: StopOptions): Promise<void>;
  freeze(name: string): Promise<void>;
  unfreeze(name: string): Promise<void>;
  /** Deletes a stopped instance with its root filesystem and snapshots. */
  delete(name: string): Promise<void>;
  /** Renames a stopped instance. */
  rename(name: string, newName: string): Promise<InstanceInfo>;
  state(name: string): Promise<InstanceState>;
  /** Only the status: cheaper than `state` (no cgroup or network reads). */
  status(name: string): Promise<InstanceStatus>;

  exec(name: string, request: ExecRequest): Promise<ExecHandle>;

  /** Reads a path; paths are confined to the container's root (`..` and symlink escapes are refused). */
  readFile(name: string, path: string): Promise<ContainerFile>;
  listDirectory(name: string, path: string): Promise<DirectoryEntry[]>;
  writeFile(name: string, request: WriteFileRequest): Promise<void>;
  deleteFile(name: string, path: string, options?: DeleteFileOptions): Promise<void>;

  /**
   * Replaces the instance's `limits.*` configuration with `limits` (keys not given are removed). A running
   * instance gets them at once and the applied values are read back and returned; a stopped one gets them
   * at its next start, and null is returned.
   */
  setLimits(name: string, limits: Readonly<Record<string, string>>): Promise<AppliedLimits | null>;
  /** The limits the kernel applies to a running instance. */
  readLimits(name: string): Promise<AppliedLimits>;

  logs(name: string): Promise<InstanceLogFile[]>;

  /** A stateless copy of the instance's root filesystem; the instance may be running. */
  createSnapshot(name: string, snapshot: string): Promise<SnapshotInfo>;
  /** Puts the root filesystem back as it was at the snapshot; the instance must be stopped. */
  restoreSnapshot(name: string, snapshot: string): Promise<void>;
  renameSnapshot(name: string, snapshot: string, newName: string): Promise<SnapshotInfo>;
  deleteSnapshot(name: string, snapshot: string): Promise<void>;
  listSnapshots(name: string): Promise<SnapshotInfo[]>;
}
