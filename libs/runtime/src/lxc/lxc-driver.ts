/**
 * RuntimeDriver on LXC 5 through its command-line tools (Debian's `lxc` package), with a private lxcpath.
 *
 * Layout: `<lxcpath>/<name>/` holds `instance.json` (what Cubed knows), `config` (regenerated from it
 * before every start), `lxc.log` (the last start's log, the one before as `lxc.log.old`) and
 * `console.log`. Root filesystems live in a StoragePool: privileged containers use an overlay volume
 * (lower = the image's rootfs), unprivileged ones a copy volume mounted idmapped
 * (`lxc.rootfs.options = idmap=container`), so files on disk keep the container's own ids.
 *
 * Every tool call has a timeout and is judged by its exit status (LXC logs harmless ERROR lines); a
 * failure carries the tool's stderr or the relevant lines of the LXC log. Limits are verified after
 * every start and change by reading the cgroup files back. The daemon must run as root: without root
 * LXC gets no cgroups.
 *
 * Operations on one instance are serialized; different instances proceed concurrently.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CgroupLayout, controllerLocation, detectCgroupLayout } from '../cgroup/cgroup-layout';
import { applyCgroupSettings, findUnappliedSettings } from '../cgroup/cgroup-apply';
import { readAppliedLimits, readCgroupUsage } from '../cgroup/cgroup-reader';
import { CgroupSetting, cgroupSettings } from '../cgroup/cgroup-settings';
import { CgroupDirectoryOf, processCgroupDirectories } from '../cgroup/instance-cgroups';
import { removeStrayCgroups } from '../cgroup/stray-cgroups';
import { assertHostname, assertInstanceName, assertSnapshotName } from '../driver/instance-name';
import { instanceStateErrors } from '../driver/instance-state-errors';
import {
  AppliedLimits,
  ContainerFile,
  DeleteFileOptions,
  DirectoryEntry,
  ExecHandle,
  ExecRequest,
  IdmapInfo,
  INSTANCE_STATUS_CODES,
  InstanceInfo,
  InstanceLogFile,
  InstanceSpec,
  InstanceState,
  InstanceStatus,
  NetworkInterfaceState,
  RuntimeDriver,
  SnapshotInfo,
  StopOptions,
  WriteFileRequest,
} from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { ContainerFiles } from '../files/container-files';
import { TemplateTrigger } from '../images/image-metadata';
import { renderImageTemplates } from '../images/image-templates';
import { TemplateInstance } from '../images/templates/template-context';
import { readUnpackedImage } from '../images/unpacked-image';
import { parseCpuList } from '../limits/cpu-limit';
import { InstanceLimits, limitEntries, parseInstanceLimits } from '../limits/instance-limits';
import { assertSucceeded, CommandResult, CommandRunner, describeCommand } from '../process/command-runner';
import { KernelFiles, NodeKernelFiles } from '../process/kernel-files';
import { NodeCommandRunner } from '../process/node-command-runner';
import { NodePtySpawner } from '../process/node-pty-spawner';
import { CommandPrefix, PrefixedCommandRunner, PrefixedPtySpawner } from '../process/prefixed-command-runner';
import { ProcessInspector, ProcProcessInspector } from '../process/process-inspector';
import { PtySpawner } from '../process/pty-spawner';
import { InstanceVolume, StoragePool } from '../storage/storage-pool';
import { Clock, systemClock } from '../util/clock';
import { KeyedMutex } from '../util/keyed-mutex';
import { assertConfigSafePath } from '../util/safe-path';
import { assertWindowSize, pipeExecHandle, ptyExecHandle } from './attach-exec-handles';
import { detectHaltSignal } from './halt-signal';
import { chooseIdmap, parseSubordinateIds } from './idmap';
import { instanceInfo, InstanceRecord, readInstanceRecord, RECORD_FILE, writeFileAtomically, writeInstanceRecord } from './instance-record';
import {
  DirectIdmapLaunch,
  LxcCommand,
  lxcAttachCommand,
  lxcFreezeCommand,
  lxcInfoCommand,
  LxcLogLevel,
  lxcStartCommand,
  lxcStopCommand,
  lxcUnfreezeCommand,
  assertExecRequest,
} from './lxc-commands';
import { renderLxcConfig } from './lxc-config';
import { lxcLogErrors, parseLxcInfo } from './lxc-output';
import { IP_ADDRESS_COMMAND, parseNetworkState } from './network-state';
import { RandomBytes, resolveNics } from './nic-devices';
import { RootfsAccess } from './rootfs-access';

export interface LxcTimeouts {
  /** lxc-start, which waits until the container runs. */
  startMs: number;
  /** Added to the grace period for lxc-stop. */
  stopExtraMs: number;
  /** Every other lxc-* call, mount and umount. */
  commandMs: number;
  /** Reading the network state inside a container. */
  networkMs: number;
}

export interface LxcDriverOptions {
  /** Private LXC path; created when missing. */
  lxcPath: string;
  pool: StoragePool;
  /** Runs every external program; default child_process. */
  runner?: CommandRunner;
  /** Starts interactive commands; default node-pty. */
  ptySpawner?: PtySpawner;
  /**
   * Wraps the lxc-* tools (and only them), e.g. `netnsCommandPrefix` to run containers in a network
   * namespace. Host-side tools (mount, cp, ip via nsenter) are never wrapped.
   */
  lxcCommandPrefix?: CommandPrefix;
  processes?: ProcessInspector;
  kernelFiles?: KernelFiles;
  /** Default `/proc/self/mounts`. */
  mountsFile?: string;
  /** Base for `limits.memory` percentages; default the host's total memory. */
  hostMemoryBytes?: number;
  /** Default `/etc/subuid` and `/etc/subgid`. */
  subordinateIdFiles?: { uid: string; gid: string };
  /** The uid/gid map of unprivileged containers; default root's delegated range (see `idmap.ts`). */
  idmap?: IdmapInfo;
  /** AppArmor profile for containers; `unconfined` suits hosts without an LSM. */
  apparmorProfile?: string;
  logLevel?: LxcLogLevel;
  timeouts?: Partial<LxcTimeouts>;
  clock?: Clock;
  random?: RandomBytes;
}

interface HostFacts {
  layout: CgroupLayout;
  hostCpus: number[];
  /** PATH for lxc-start when LXC must write idmaps itself. */
  directIdmapLaunch: DirectIdmapLaunch | null;
  subuidText: string;
  subgidText: string;
}

interface LxcState {
  state: string;
  pid: number | null;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

const STATUS_OF_LXC_STATE: Readonly<Record<string, InstanceStatus>> = {
  RUNNING: 'Running',
  STOPPING: 'Running',
  FREEZING: 'Running',
  STARTING: 'Running',
  FROZEN: 'Frozen',
  THAWING: 'Frozen',
  STOPPED: 'Stopped',
  ABORTING: 'Error',
};

function emptyState(status: InstanceStatus, error?: string): InstanceState {
  return {
    status,
    statusCode: INSTANCE_STATUS_CODES[status],
    pid: 0,
    processes: 0,
    memory: { usage: 0, usagePeak: 0, swapUsage: 0, swapUsagePeak: 0 },
    cpu: { usageNs: 0 },
    network: null,
    ...(error !== undefined ? { error } : {}),
  };
}

async function exists(target: string): Promise<boolean> {
  return (await fs.lstat(target).catch(() => null)) !== null;
}

export class LxcDriver implements RuntimeDriver {
  readonly lxcPath: string;
  private readonly pool: StoragePool;
  private readonly runner: CommandRunner;
  private readonly lxcRunner: CommandRunner;
  private readonly ptySpawner: PtySpawner;
  private readonly processes: ProcessInspector;
  private readonly files: KernelFiles;
  private readonly mountsFile: string;
  private readonly hostMemoryBytes: number;
  private readonly subordinateIdFiles: { uid: string; gid: string };
  private readonly configuredIdmap: IdmapInfo | undefined;
  private readonly apparmorProfile: string;
  private readonly logLevel: LxcLogLevel;
  private readonly timeouts: LxcTimeouts;
  private readonly clock: Clock;
  private readonly random: RandomBytes;
  private readonly rootfs: RootfsAccess;
  private readonly locks = new KeyedMutex();
  private readonly environment: Record<string, string> = { PATH: DEFAULT_PATH, LC_ALL: 'C' };
  private hostFacts: Promise<HostFacts> | null = null;

  constructor(options: LxcDriverOptions) {
    assertConfigSafePath(options.lxcPath, 'The LXC path');
    this.lxcPath = path.resolve(options.lxcPath);
    this.pool = options.pool;
    this.runner = options.runner ?? new NodeCommandRunner();
    const ptySpawner = options.ptySpawner ?? new NodePtySpawner();
    this.lxcRunner = options.lxcCommandPrefix ? new PrefixedCommandRunner(this.runner, options.lxcCommandPrefix) : this.runner;
    this.ptySpawner = options.lxcCommandPrefix ? new PrefixedPtySpawner(ptySpawner, options.lxcCommandPrefix) : ptySpawner;
    this.processes = options.processes ?? new ProcProcessInspector();
    this.files = options.kernelFiles ?? new NodeKernelFiles();
    this.mountsFile = options.mountsFile ?? '/proc/self/mounts';
    this.hostMemoryBytes = options.hostMemoryBytes ?? os.totalmem();
    this.subordinateIdFiles = options.subordinateIdFiles ?? { uid: '/etc/subuid', gid: '/etc/subgid' };
    this.configuredIdmap = options.idmap;
    this.apparmorProfile = options.apparmorProfile ?? 'unconfined';
    this.logLevel = options.logLevel ?? 'INFO';
    this.timeouts = { startMs: 60_000, stopExtraMs: 30_000, commandMs: 30_000, networkMs: 10_000, ...options.timeouts };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? randomBytes;
    this.rootfs = new RootfsAccess(this.runner, this.files, this.mountsFile, this.timeouts.commandMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  async create(spec: InstanceSpec): Promise<InstanceInfo> {
    assertInstanceName(spec.name);
    if (typeof spec.privileged !== 'boolean') throw new RuntimeError('InvalidArgument', 'privileged must be true or false');
    const hostname = spec.hostname ?? spec.name;
    assertHostname(hostname);
    const trigger = spec.trigger ?? 'create';
    if (trigger !== 'create' && trigger !== 'copy') throw new RuntimeError('InvalidArgument', `Invalid template trigger "${String(trigger)}"`);
    const image = await readUnpackedImage(spec.imageDirectory);
    assertConfigSafePath(image.directory, 'The image directory');
    const config = { ...(spec.config ?? {}) };
    for (const [key, value] of Object.entries(config)) {
      if (typeof value !== 'string') throw new RuntimeError('InvalidArgument', `Config key ${key} must have a string value`);
    }
    const host = await this.host();
    this.settingsFor(parseInstanceLimits(config, this.hostMemoryBytes), host, false);
    const nics = resolveNics(spec.nics ?? [], this.random);
    const idmapChoice = spec.privileged
      ? null
      : chooseIdmap(parseSubordinateIds(host.subuidText), parseSubordinateIds(host.subgidText), this.configuredIdmap);

    return this.locks.run(spec.name, async () => {
      const dir = this.instanceDirectory(spec.name);
      if (await exists(dir)) throw instanceStateErrors.alreadyExists(spec.name);
      await fs.mkdir(this.lxcPath, { recursive: true, mode: 0o711 });
      await fs.mkdir(dir, { mode: 0o711 });
      let volume: InstanceVolume | null = null;
      try {
        volume = await this.pool.createInstanceVolume(spec.name, {
          imageDirectory: image.directory,
          layout: spec.privileged ? 'overlay' : 'copy',
        });
        const record: InstanceRecord = {
          version: 1,
          name: spec.name,
          hostname,
          privileged: spec.privileged,
          imageDirectory: image.directory,
          architecture: image.metadata.architecture,
          config,
          nics,
          haltSignal: spec.haltSignal ?? (await detectHaltSignal(new ContainerFiles(image.rootfsPath))),
          idmap: idmapChoice?.idmap ?? null,
          idmapDelegated: idmapChoice?.delegated ?? true,
          createdAt: this.clock.now().toISOString(),
        };
        await this.renderTemplates(record, volume, null, trigger);
        await this.writeConfig(record, volume, host);
        await writeInstanceRecord(dir, record);
        return instanceInfo(record);
      } catch (error) {
        if (volume) await this.pool.deleteInstanceVolume(spec.name).catch(() => undefined);
        await fs.rm(dir, { recursive: true, force: true });
        throw error;
      }
    });
  }

  async info(name: string): Promise<InstanceInfo> {
    return instanceInfo(await this.record(name));
  }

  async list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.lxcPath);
    } catch {
      return [];
    }
    const names: string[] = [];
    for (const entry of entries.sort()) {
      if (await exists(path.join(this.lxcPath, entry, RECORD_FILE))) names.push(entry);
    }
    return names;
  }

  start(name: string): Promise<void> {
    return this.locks.run(name, () => this.startLocked(name));
  }

  stop(name: string, options: StopOptions = {}): Promise<void> {
    return this.locks.run(name, () => this.stopLocked(name, options));
  }

  restart(name: string, options: StopOptions = {}): Promise<void> {
    return this.locks.run(name, async () => {
      await this.stopLocked(name, options);
      await this.startLocked(name);
    });
  }

  freeze(name: string): Promise<void> {
    return this.locks.run(name, async () => {
      await this.record(name);
      const current = await this.lxcState(name);
      if (current.state === 'FROZEN') throw instanceStateErrors.alreadyFrozen();
      if (current.state !== 'RUNNING') throw instanceStateErrors.notRunning();
      await this.runLxc(lxcFreezeCommand(this.lxcPath, name), `Cannot freeze instance "${name}"`);
    });
  }

  unfreeze(name: string): Promise<void> {
    return this.locks.run(name, async () => {
      await this.record(name);
      const current = await this.lxcState(name);
      if (current.state !== 'FROZEN') throw instanceStateErrors.notFrozen();
      await this.runLxc(lxcUnfreezeCommand(this.lxcPath, name), `Cannot unfreeze instance "${name}"`);
    });
  }

  delete(name: string): Promise<void> {
    return this.locks.run(name, async () => {
      await this.record(name);
      await this.assertStopped(name, 'deleting it');
      await this.rootfs.unmountLeftover(this.instanceDirectory(name));
      await this.pool.deleteInstanceVolume(name).catch((error: unknown) => {
        if (!(error instanceof RuntimeError && error.code === 'NotFound')) throw error;
      });
      await fs.rm(this.instanceDirectory(name), { recursive: true, force: true });
      await removeStrayCgroups(this.files, (await this.host()).layout, name);
    });
  }

  rename(name: string, newName: string): Promise<InstanceInfo> {
    assertInstanceName(newName);
    return this.locks.run([name, newName], async () => {
      const record = await this.record(name);
      if (name === newName) return instanceInfo(record);
      await this.assertStopped(name, 'renaming it');
      const newDirectory = this.instanceDirectory(newName);
      if (await exists(newDirectory)) throw instanceStateErrors.alreadyExists(newName);
      await this.rootfs.unmountLeftover(this.instanceDirectory(name));
      const volume = await this.pool.renameInstanceVolume(name, newName);
      try {
        await fs.rename(this.instanceDirectory(name), newDirectory);
      } catch (error) {
        await this.pool.renameInstanceVolume(newName, name);
        throw new RuntimeError('Failed', `Cannot rename instance "${name}"`, (error as Error).message);
      }
      const renamed: InstanceRecord = { ...record, name: newName, hostname: record.hostname === name ? newName : record.hostname };
      await writeInstanceRecord(newDirectory, renamed);
      await this.writeConfig(renamed, volume, await this.host());
      await removeStrayCgroups(this.files, (await this.host()).layout, name);
      return instanceInfo(renamed);
    });
  }

  async status(name: string): Promise<InstanceStatus> {
    await this.record(name);
    try {
      return STATUS_OF_LXC_STATE[(await this.lxcState(name)).state] ?? 'Error';
    } catch {
      return 'Error';
    }
  }

  async state(name: string): Promise<InstanceState> {
    const record = await this.record(name);
    let current: LxcState;
    try {
      current = await this.lxcState(name);
    } catch (error) {
      return emptyState('Error', (error as Error).message);
    }
    const status = STATUS_OF_LXC_STATE[current.state] ?? 'Error';
    if (status === 'Stopped' || current.pid === null) {
      return emptyState(status, status === 'Error' ? `LXC reports the state "${current.state}"` : undefined);
    }
    const host = await this.host();
    const dirs = await processCgroupDirectories(this.files, host.layout, current.pid);
    const usage = dirs ? await readCgroupUsage(this.files, host.layout, dirs) : null;
    return {
      status,
      statusCode: INSTANCE_STATUS_CODES[status],
      pid: current.pid,
      processes: usage?.processes ?? 0,
      memory: usage?.memory ?? { usage: 0, usagePeak: 0, swapUsage: 0, swapUsagePeak: 0 },
      cpu: { usageNs: usage?.cpuNs ?? 0 },
      network: await this.networkState(current.pid, record),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Exec

  async exec(name: string, request: ExecRequest): Promise<ExecHandle> {
    assertExecRequest(request);
    if (request.interactive) assertWindowSize(request.interactive);
    const command = await this.locks.run(name, async () => {
      const record = await this.record(name);
      const current = await this.lxcState(name);
      if (current.state === 'FROZEN') throw instanceStateErrors.frozen();
      if (current.state !== 'RUNNING' || current.pid === null) throw instanceStateErrors.notRunning();
      if (request.cwd !== undefined && request.cwd !== '/') await this.assertWorkingDirectory(record, current.pid, request.cwd);
      return lxcAttachCommand(this.lxcPath, name, request);
    });
    if (request.interactive) {
      const terminal = await this.ptySpawner.spawn(command.command, command.args, {
        env: this.environment,
        cwd: '/',
        columns: request.interactive.columns,
        rows: request.interactive.rows,
      });
      return ptyExecHandle(terminal, this.processes);
    }
    const child = await this.lxcRunner.spawn(command.command, command.args, { env: this.environment, cwd: '/' });
    return pipeExecHandle(child, this.processes);
  }

  // ---------------------------------------------------------------------------------------------
  // Files

  readFile(name: string, filePath: string): Promise<ContainerFile> {
    return this.withFiles(name, (files) => files.read(filePath));
  }

  listDirectory(name: string, filePath: string): Promise<DirectoryEntry[]> {
    return this.withFiles(name, (files) => files.list(filePath));
  }

  writeFile(name: string, request: WriteFileRequest): Promise<void> {
    return this.withFiles(name, (files) => files.write(request));
  }

  deleteFile(name: string, filePath: string, options: DeleteFileOptions = {}): Promise<void> {
    return this.withFiles(name, (files) => files.delete(filePath, options));
  }

  // ---------------------------------------------------------------------------------------------
  // Limits

  setLimits(name: string, limits: Readonly<Record<string, string>>): Promise<AppliedLimits | null> {
    for (const [key, value] of Object.entries(limits)) {
      if (!key.startsWith('limits.')) throw new RuntimeError('InvalidArgument', `"${key}" is not a limits.* key`);
      if (typeof value !== 'string') throw new RuntimeError('InvalidArgument', `${key} must have a string value`);
    }
    return this.locks.run(name, async () => {
      const record = await this.record(name);
      const config: Record<string, string> = {};
      for (const [key, value] of Object.entries(record.config)) if (!key.startsWith('limits.')) config[key] = value;
      Object.assign(config, limitEntries(limits));
      const parsed = parseInstanceLimits(config, this.hostMemoryBytes);
      const host = await this.host();
      this.settingsFor(parsed, host, false);
      const current = await this.lxcState(name);
      const running = (current.state === 'RUNNING' || current.state === 'FROZEN') && current.pid !== null;
      let applied: AppliedLimits | null = null;
      if (running) {
        const dirs = await this.cgroupDirectories(name, current.pid as number, host);
        const settings = this.settingsFor(parsed, host, true);
        await applyCgroupSettings(this.files, settings, dirs);
        const problems = await findUnappliedSettings(this.files, settings, dirs);
        if (problems.length > 0) {
          throw new RuntimeError('LimitNotApplied', `The kernel did not apply the limits of instance "${name}"`, problems.join('; '));
        }
        applied = await readAppliedLimits(this.files, host.layout, dirs);
      }
      const updated: InstanceRecord = { ...record, config };
      await writeInstanceRecord(this.instanceDirectory(name), updated);
      await this.writeConfig(updated, await this.pool.getInstanceVolume(name), host);
      return applied;
    });
  }

  async readLimits(name: string): Promise<AppliedLimits> {
    await this.record(name);
    const current = await this.lxcState(name);
    if ((current.state !== 'RUNNING' && current.state !== 'FROZEN') || current.pid === null) {
      throw instanceStateErrors.notRunning();
    }
    const host = await this.host();
    return readAppliedLimits(this.files, host.layout, await this.cgroupDirectories(name, current.pid, host));
  }

  // ---------------------------------------------------------------------------------------------
  // Logs and snapshots

  async logs(name: string): Promise<InstanceLogFile[]> {
    await this.record(name);
    const dir = this.instanceDirectory(name);
    const result: InstanceLogFile[] = [];
    for (const [logName, file] of [
      ['lxc.log', 'lxc.log'],
      ['lxc.log.old', 'lxc.log.old'],
      ['console.log', 'console.log'],
      ['lxc.conf', 'config'],
    ]) {
      const filePath = path.join(dir, file);
      const content = await fs.readFile(filePath, 'utf8').catch(() => null);
      if (content !== null) result.push({ name: logName, path: filePath, content });
    }
    return result;
  }

  createSnapshot(name: string, snapshot: string): Promise<SnapshotInfo> {
    assertSnapshotName(snapshot);
    return this.locks.run(name, async () => {
      await this.record(name);
      const created = await this.pool.createSnapshot(name, snapshot);
      return { name: created.name, createdAt: created.createdAt };
    });
  }

  restoreSnapshot(name: string, snapshot: string): Promise<void> {
    assertSnapshotName(snapshot);
    return this.locks.run(name, async () => {
      await this.record(name);
      await this.assertStopped(name, 'restoring a snapshot');
      await this.pool.restoreSnapshot(name, snapshot);
    });
  }

  renameSnapshot(name: string, snapshot: string, newName: string): Promise<SnapshotInfo> {
    assertSnapshotName(snapshot);
    assertSnapshotName(newName);
    return this.locks.run(name, async () => {
      await this.record(name);
      const renamed = await this.pool.renameSnapshot(name, snapshot, newName);
      return { name: renamed.name, createdAt: renamed.createdAt };
    });
  }

  deleteSnapshot(name: string, snapshot: string): Promise<void> {
    assertSnapshotName(snapshot);
    return this.locks.run(name, async () => {
      await this.record(name);
      await this.pool.deleteSnapshot(name, snapshot);
    });
  }

  async listSnapshots(name: string): Promise<SnapshotInfo[]> {
    await this.record(name);
    return (await this.pool.listSnapshots(name)).map((snapshot) => ({ name: snapshot.name, createdAt: snapshot.createdAt }));
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private instanceDirectory(name: string): string {
    assertInstanceName(name);
    return path.join(this.lxcPath, name);
  }

  private record(name: string): Promise<InstanceRecord> {
    return readInstanceRecord(this.instanceDirectory(name), name);
  }

  private host(): Promise<HostFacts> {
    if (!this.hostFacts) {
      this.hostFacts = this.detectHost();
      this.hostFacts.catch(() => {
        this.hostFacts = null;
      });
    }
    return this.hostFacts;
  }

  private async detectHost(): Promise<HostFacts> {
    const mounts = await this.files.read(this.mountsFile);
    if (mounts === null) throw new RuntimeError('Failed', `Cannot read ${this.mountsFile}`);
    const layout = await detectCgroupLayout(mounts, this.files);
    const cpuset = controllerLocation(layout, 'cpuset');
    const cpusText =
      (cpuset ? await this.files.read(`${cpuset.mountPoint}/${cpuset.version === 1 ? 'cpuset.cpus' : 'cpuset.cpus.effective'}`) : null) ??
      (await this.files.read('/sys/devices/system/cpu/online')) ??
      '';
    const hostCpus = parseCpuList(cpusText);
    const subuidText = (await this.files.read(this.subordinateIdFiles.uid)) ?? '';
    const subgidText = (await this.files.read(this.subordinateIdFiles.gid)) ?? '';
    return { layout, hostCpus, directIdmapLaunch: await this.directIdmapLaunch(), subuidText, subgidText };
  }

  /** lxc-start's absolute path and the PATH directories without newuidmap/newgidmap. */
  private async directIdmapLaunch(): Promise<DirectIdmapLaunch | null> {
    const dirs = DEFAULT_PATH.split(':');
    let lxcStartPath: string | null = null;
    const kept: string[] = [];
    for (const dir of dirs) {
      if (lxcStartPath === null && (await this.files.exists(`${dir}/lxc-start`))) lxcStartPath = `${dir}/lxc-start`;
      const hasTools = (await this.files.exists(`${dir}/newuidmap`)) || (await this.files.exists(`${dir}/newgidmap`));
      if (!hasTools) kept.push(dir);
    }
    return lxcStartPath === null ? null : { lxcStartPath, path: kept.join(':') };
  }

  private settingsFor(limits: InstanceLimits, host: HostFacts, includeDefaults: boolean): CgroupSetting[] {
    return cgroupSettings(limits, host.layout, host.hostCpus, { includeDefaults });
  }

  private async runLxc(command: LxcCommand, what: string, timeoutMs = this.timeouts.commandMs): Promise<CommandResult> {
    const result = await this.lxcRunner.run(command.command, command.args, { timeoutMs, env: this.environment });
    assertSucceeded(result, what, describeCommand(command.command, command.args));
    return result;
  }

  private async lxcState(name: string): Promise<LxcState> {
    const result = await this.runLxc(lxcInfoCommand(this.lxcPath, name), `Cannot read the state of instance "${name}"`);
    const info = parseLxcInfo(result.stdout);
    if (info.state === '') throw new RuntimeError('Failed', `lxc-info printed no state for instance "${name}"`, result.stdout);
    return info;
  }

  private async assertStopped(name: string, operation: 'deleting it' | 'renaming it' | 'restoring a snapshot'): Promise<void> {
    const current = await this.lxcState(name);
    if (current.state !== 'STOPPED') throw instanceStateErrors.runningOn(operation);
  }

  private async cgroupDirectories(name: string, pid: number, host: HostFacts): Promise<CgroupDirectoryOf> {
    const dirs = await processCgroupDirectories(this.files, host.layout, pid);
    if (!dirs) throw new RuntimeError('InvalidState', `Instance "${name}" stopped while its cgroups were read`);
    return dirs;
  }

  private async writeConfig(record: InstanceRecord, volume: InstanceVolume, host: HostFacts): Promise<void> {
    const dir = this.instanceDirectory(record.name);
    const settings = this.settingsFor(parseInstanceLimits(record.config, this.hostMemoryBytes), host, false);
    const devices = controllerLocation(host.layout, 'devices');
    const text = renderLxcConfig({
      hostname: record.hostname,
      rootfs:
        volume.layout === 'overlay'
          ? { kind: 'overlay', lowerPath: volume.lowerPath, upperPath: volume.upperPath }
          : { kind: 'dir', path: volume.rootfsPath, idmapped: record.idmap !== null },
      idmap: record.idmap,
      haltSignal: record.haltSignal,
      nics: record.nics,
      cgroupSettings: settings,
      devicesCgroupVersion: devices?.version ?? null,
      consoleLogPath: path.join(dir, 'console.log'),
      apparmorProfile: this.apparmorProfile,
    });
    await writeFileAtomically(path.join(dir, 'config'), text, 0o644);
  }

  private templateInstance(record: InstanceRecord): TemplateInstance {
    const devices: Record<string, Record<string, string>> = {};
    for (const nic of record.nics) {
      devices[nic.name] = {
        type: 'nic',
        nictype: 'bridged',
        parent: nic.bridge,
        name: nic.name,
        host_name: nic.hostName,
        hwaddr: nic.hwaddr,
        ...(nic.mtu !== undefined ? { mtu: String(nic.mtu) } : {}),
        ...(nic.ipv4 ? { 'ipv4.address': nic.ipv4.address } : {}),
      };
    }
    return {
      name: record.name,
      architecture: record.architecture,
      privileged: record.privileged,
      ephemeral: false,
      config: record.config,
      devices,
    };
  }

  private async renderTemplates(record: InstanceRecord, volume: InstanceVolume, runningPid: number | null, trigger: TemplateTrigger): Promise<void> {
    const image = await readUnpackedImage(record.imageDirectory);
    if (!Object.values(image.metadata.templates).some((template) => template.when.includes(trigger))) return;
    await this.rootfs.withRoot(volume, runningPid, this.instanceDirectory(record.name), (root) =>
      renderImageTemplates(image, trigger, this.templateInstance(record), new ContainerFiles(root)),
    );
  }

  private async startLocked(name: string): Promise<void> {
    const record = await this.record(name);
    const current = await this.lxcState(name);
    if (current.state === 'RUNNING') throw instanceStateErrors.alreadyRunning();
    if (current.state === 'FROZEN') throw instanceStateErrors.frozen();
    if (current.state !== 'STOPPED') throw new RuntimeError('InvalidState', `The instance is ${current.state.toLowerCase()}`);
    const host = await this.host();
    const volume = await this.pool.getInstanceVolume(name);
    await this.rootfs.unmountLeftover(this.instanceDirectory(name));
    await this.renderTemplates(record, volume, null, 'start');
    await this.writeConfig(record, volume, host);
    const dir = this.instanceDirectory(name);
    const logFile = path.join(dir, 'lxc.log');
    await fs.rename(logFile, `${logFile}.old`).catch(() => undefined);
    await removeStrayCgroups(this.files, host.layout, name);

    const direct = record.idmap !== null && !record.idmapDelegated ? host.directIdmapLaunch : null;
    if (record.idmap !== null && !record.idmapDelegated && direct === null) {
      throw new RuntimeError('Failed', 'lxc-start was not found on PATH');
    }
    const command = lxcStartCommand(this.lxcPath, name, logFile, this.logLevel, direct ?? undefined);
    const result = await this.lxcRunner.run(command.command, command.args, { timeoutMs: this.timeouts.startMs, env: this.environment });
    if (result.exitCode !== 0 || result.timedOut) {
      await this.failStart(name, host, 'Cannot start instance', result);
    }
    const started = await this.lxcState(name);
    if (started.state !== 'RUNNING' || started.pid === null) {
      await this.failStart(name, host, `Instance stopped right after it started (state ${started.state})`, result);
    }
    const settings = this.settingsFor(parseInstanceLimits(record.config, this.hostMemoryBytes), host, false);
    if (settings.length > 0) {
      const dirs = await processCgroupDirectories(this.files, host.layout, started.pid as number);
      const problems = dirs ? await findUnappliedSettings(this.files, settings, dirs) : ['the container has no cgroups'];
      if (problems.length > 0) {
        await this.runLxc(lxcStopCommand(this.lxcPath, name, { kill: true }), `Cannot stop instance "${name}"`);
        await removeStrayCgroups(this.files, host.layout, name);
        const warnings = lxcLogErrors(await fs.readFile(logFile, 'utf8').catch(() => ''));
        throw new RuntimeError(
          'LimitNotApplied',
          `Instance "${name}" started without its limits and was stopped again`,
          [...problems, ...warnings].join('; '),
        );
      }
    }
  }

  private async failStart(name: string, host: HostFacts, message: string, result: CommandResult): Promise<never> {
    const log = await fs.readFile(path.join(this.instanceDirectory(name), 'lxc.log'), 'utf8').catch(() => '');
    const left = await removeStrayCgroups(this.files, host.layout, name);
    const details = [...lxcLogErrors(log)];
    if (details.length === 0 && result.stderr.trim() !== '') details.push(result.stderr.trim());
    if (result.timedOut) details.unshift(`lxc-start did not finish within ${this.timeouts.startMs} ms`);
    if (left.length > 0) details.push(`cgroups left behind: ${left.join(', ')}`);
    throw new RuntimeError(result.timedOut ? 'Timeout' : 'Failed', `${message} "${name}"`, details.join('\n') || undefined);
  }

  private async stopLocked(name: string, options: StopOptions): Promise<void> {
    await this.record(name);
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0) {
      throw new RuntimeError('InvalidArgument', `Invalid stop timeout ${timeoutSeconds}: expected a whole number of seconds`);
    }
    const current = await this.lxcState(name);
    if (current.state === 'STOPPED') throw instanceStateErrors.alreadyStopped();
    if (current.state === 'FROZEN') {
      // A frozen container can neither shut down nor die until it is thawed.
      await this.runLxc(lxcUnfreezeCommand(this.lxcPath, name), `Cannot unfreeze instance "${name}" to stop it`);
    }
    if (!options.force && timeoutSeconds > 0) {
      const graceful = lxcStopCommand(this.lxcPath, name, { kill: false, timeoutSeconds });
      await this.lxcRunner.run(graceful.command, graceful.args, {
        timeoutMs: timeoutSeconds * 1000 + this.timeouts.stopExtraMs,
        env: this.environment,
      });
    }
    if ((await this.lxcState(name)).state !== 'STOPPED') {
      await this.runLxc(lxcStopCommand(this.lxcPath, name, { kill: true }), `Cannot kill instance "${name}"`);
    }
    const after = await this.lxcState(name);
    if (after.state !== 'STOPPED') throw new RuntimeError('Failed', `Instance "${name}" is still ${after.state.toLowerCase()} after being killed`);
    await removeStrayCgroups(this.files, (await this.host()).layout, name);
  }

  private async networkState(pid: number, record: InstanceRecord): Promise<Record<string, NetworkInterfaceState> | null> {
    const args = [`--target=${pid}`, '--net', '--', ...IP_ADDRESS_COMMAND];
    const result = await this.runner.run('nsenter', args, { timeoutMs: this.timeouts.networkMs, env: this.environment });
    if (result.exitCode !== 0) return null;
    return parseNetworkState(result.stdout, record.nics);
  }

  private async assertWorkingDirectory(record: InstanceRecord, pid: number, cwd: string): Promise<void> {
    const volume = await this.pool.getInstanceVolume(record.name);
    await this.rootfs.withRoot(volume, pid, this.instanceDirectory(record.name), async (root) => {
      const files = new ContainerFiles(root);
      const resolved = await files.resolve(cwd, true);
      if (resolved.node?.type !== 'directory') throw new RuntimeError('InvalidArgument', `The working directory "${cwd}" is not a directory in the container`);
      if (!(await files.exists('/bin/sh'))) {
        throw new RuntimeError('InvalidArgument', 'Setting the working directory needs /bin/sh in the container');
      }
    });
  }

  private withFiles<T>(name: string, task: (files: ContainerFiles) => Promise<T>): Promise<T> {
    return this.locks.run(name, async () => {
      await this.record(name);
      const volume = await this.pool.getInstanceVolume(name);
      let pid: number | null = null;
      if (volume.layout === 'overlay') {
        const current = await this.lxcState(name);
        if (current.state !== 'STOPPED') {
          if (current.pid === null) throw new RuntimeError('InvalidState', `The instance is ${current.state.toLowerCase()}`);
          pid = current.pid;
        }
      }
      return this.rootfs.withRoot(volume, pid, this.instanceDirectory(name), (root) => task(new ContainerFiles(root)));
    });
  }
}
