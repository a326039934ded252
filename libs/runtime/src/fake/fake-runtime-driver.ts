/**
 * An in-memory RuntimeDriver for unit tests of code built on the runtime (the daemon's API). It keeps
 * the state machine, the validation and the errors of `LxcDriver` (shared code wherever possible):
 * starting a running instance fails with "The instance is already running", deleting a running one is
 * refused, paths are confined the same way, limits are parsed and checked the same way. Images are
 * registered with `addImage`; commands run through a handler given to the constructor; a failure can be
 * injected into the next call of an operation with `failNext`.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import * as os from 'node:os';
import { assertHostname, assertInstanceName, assertSnapshotName } from '../driver/instance-name';
import { instanceStateErrors } from '../driver/instance-state-errors';
import {
  AppliedLimits,
  ContainerFile,
  DeleteFileOptions,
  DirectoryEntry,
  ExecHandle,
  ExecRequest,
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
  WindowSize,
  WriteFileRequest,
} from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { ImageTemplate, TemplateTrigger } from '../images/image-metadata';
import { templateContext } from '../images/templates/template-context';
import { renderTemplate } from '../images/templates/template-renderer';
import { formatCpuList, selectCpus, sharesForPercent } from '../limits/cpu-limit';
import { InstanceLimits, limitEntries, parseInstanceLimits } from '../limits/instance-limits';
import { assertExecRequest } from '../lxc/lxc-commands';
import { assertWindowSize } from '../lxc/attach-exec-handles';
import { RandomBytes, resolveNics } from '../lxc/nic-devices';
import { Clock, systemClock } from '../util/clock';
import { InMemoryFileTree } from './in-memory-file-tree';

export interface FakeImage {
  architecture: string;
  /** Files of the image's root filesystem: path → content (parent directories are created). */
  files?: Readonly<Record<string, string | Buffer>>;
  /** Templates as in metadata.yaml, with the template's source instead of a file name. */
  templates?: Readonly<Record<string, Omit<ImageTemplate, 'template'> & { source: string }>>;
}

export interface FakeExecIo {
  stdin: Readable;
  stdout: Writable;
  /** Same stream as stdout for an interactive command. */
  stderr: Writable;
  /** Current terminal size of an interactive command. */
  windowSize(): WindowSize | null;
  /** Called with each signal sent to the command; without a listener a signal ends the command. */
  onSignal(listener: (signal: NodeJS.Signals | number) => void): void;
}

/** Runs a command of a fake instance and returns its exit code. */
export type FakeExecHandler = (instance: string, request: ExecRequest, io: FakeExecIo) => Promise<number>;

export interface FakeRuntimeDriverOptions {
  execHandler?: FakeExecHandler;
  hostMemoryBytes?: number;
  hostCpus?: readonly number[];
  clock?: Clock;
  random?: RandomBytes;
}

type Operation = keyof RuntimeDriver;

interface FakeInstance {
  info: InstanceInfo;
  image: FakeImage;
  status: 'Running' | 'Stopped' | 'Frozen';
  pid: number;
  files: InMemoryFileTree;
  snapshots: Map<string, { createdAt: Date; files: InMemoryFileTree }>;
  log: string[];
}

const PAGE_SIZE = 4096;

/** Like a command that does not exist: what a shell prints and its exit code. */
const notFoundHandler: FakeExecHandler = async (_instance, request, io) => {
  io.stderr.write(`${request.command[0]}: not found\n`);
  return 127;
};

/** Deterministic stand-in for random bytes: a counter, big-endian, one step per call. */
function countingBytes(): RandomBytes {
  let counter = 0;
  return (size) => {
    const bytes = Buffer.alloc(size);
    let value = ++counter;
    for (let i = size - 1; i >= 0 && value > 0; i--) {
      bytes[i] = value & 0xff;
      value = Math.floor(value / 256);
    }
    return bytes;
  };
}

function signalNumber(signal: NodeJS.Signals | number): number {
  return typeof signal === 'number' ? signal : (os.constants.signals[signal] ?? 0);
}

export class FakeRuntimeDriver implements RuntimeDriver {
  private readonly images = new Map<string, FakeImage>();
  private readonly instances = new Map<string, FakeInstance>();
  private readonly failures = new Map<Operation, RuntimeError>();
  private readonly execHandler: FakeExecHandler;
  private readonly hostMemoryBytes: number;
  private readonly hostCpus: readonly number[];
  private readonly clock: Clock;
  private readonly random: RandomBytes;
  private nextPid = 1000;

  constructor(options: FakeRuntimeDriverOptions = {}) {
    this.execHandler = options.execHandler ?? notFoundHandler;
    this.hostMemoryBytes = options.hostMemoryBytes ?? 8 * 1024 ** 3;
    this.hostCpus = options.hostCpus ?? [0, 1];
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? countingBytes();
  }

  /** Makes `directory` usable as an `imageDirectory`. */
  addImage(directory: string, image: FakeImage): void {
    this.images.set(directory, image);
  }

  /** The next call of `operation` fails with `error` (once). */
  failNext(operation: Operation, error: RuntimeError): void {
    this.failures.set(operation, error);
  }

  async create(spec: InstanceSpec): Promise<InstanceInfo> {
    this.injectedFailure('create');
    assertInstanceName(spec.name);
    if (typeof spec.privileged !== 'boolean') throw new RuntimeError('InvalidArgument', 'privileged must be true or false');
    const hostname = spec.hostname ?? spec.name;
    assertHostname(hostname);
    const image = this.images.get(spec.imageDirectory);
    if (!image) throw new RuntimeError('NotFound', `No unpacked image at ${spec.imageDirectory} (metadata.yaml is missing)`);
    const config = { ...(spec.config ?? {}) };
    this.selectedLimits(parseInstanceLimits(config, this.hostMemoryBytes));
    const nics = resolveNics(spec.nics ?? [], this.random);
    if (this.instances.has(spec.name)) throw instanceStateErrors.alreadyExists(spec.name);

    const files = new InMemoryFileTree();
    for (const [path, content] of Object.entries(image.files ?? {})) {
      await files.write({ path, content, createParents: true });
    }
    const info: InstanceInfo = {
      name: spec.name,
      hostname,
      privileged: spec.privileged,
      imageDirectory: spec.imageDirectory,
      architecture: image.architecture,
      config,
      nics,
      haltSignal: spec.haltSignal ?? 'SIGPWR',
      idmap: spec.privileged ? null : { hostUid: 1_000_000, hostGid: 1_000_000, size: 65536 },
      createdAt: this.clock.now(),
    };
    const instance: FakeInstance = { info, image, status: 'Stopped', pid: 0, files, snapshots: new Map(), log: [] };
    await this.renderTemplates(instance, spec.trigger ?? 'create');
    this.instances.set(spec.name, instance);
    return this.copyInfo(info);
  }

  async info(name: string): Promise<InstanceInfo> {
    this.injectedFailure('info');
    return this.copyInfo(this.instance(name).info);
  }

  async list(): Promise<string[]> {
    this.injectedFailure('list');
    return [...this.instances.keys()].sort();
  }

  async start(name: string): Promise<void> {
    this.injectedFailure('start');
    const instance = this.instance(name);
    if (instance.status === 'Running') throw instanceStateErrors.alreadyRunning();
    if (instance.status === 'Frozen') throw instanceStateErrors.frozen();
    await this.renderTemplates(instance, 'start');
    instance.status = 'Running';
    instance.pid = this.nextPid++;
    this.logEvent(instance, 'started');
  }

  async stop(name: string, options: StopOptions = {}): Promise<void> {
    this.injectedFailure('stop');
    this.stopInstance(this.instance(name), options);
  }

  async restart(name: string, options: StopOptions = {}): Promise<void> {
    this.injectedFailure('restart');
    const instance = this.instance(name);
    this.stopInstance(instance, options);
    await this.renderTemplates(instance, 'start');
    instance.status = 'Running';
    instance.pid = this.nextPid++;
    this.logEvent(instance, 'started');
  }

  async freeze(name: string): Promise<void> {
    this.injectedFailure('freeze');
    const instance = this.instance(name);
    if (instance.status === 'Frozen') throw instanceStateErrors.alreadyFrozen();
    if (instance.status !== 'Running') throw instanceStateErrors.notRunning();
    instance.status = 'Frozen';
    this.logEvent(instance, 'frozen');
  }

  async unfreeze(name: string): Promise<void> {
    this.injectedFailure('unfreeze');
    const instance = this.instance(name);
    if (instance.status !== 'Frozen') throw instanceStateErrors.notFrozen();
    instance.status = 'Running';
    this.logEvent(instance, 'thawed');
  }

  async delete(name: string): Promise<void> {
    this.injectedFailure('delete');
    const instance = this.instance(name);
    if (instance.status !== 'Stopped') throw instanceStateErrors.runningOn('deleting it');
    this.instances.delete(name);
  }

  async rename(name: string, newName: string): Promise<InstanceInfo> {
    this.injectedFailure('rename');
    assertInstanceName(newName);
    const instance = this.instance(name);
    if (name === newName) return this.copyInfo(instance.info);
    if (instance.status !== 'Stopped') throw instanceStateErrors.runningOn('renaming it');
    if (this.instances.has(newName)) throw instanceStateErrors.alreadyExists(newName);
    instance.info = { ...instance.info, name: newName, hostname: instance.info.hostname === name ? newName : instance.info.hostname };
    this.instances.delete(name);
    this.instances.set(newName, instance);
    return this.copyInfo(instance.info);
  }

  async status(name: string): Promise<InstanceStatus> {
    this.injectedFailure('state');
    return this.instance(name).status;
  }

  async state(name: string): Promise<InstanceState> {
    this.injectedFailure('state');
    const instance = this.instance(name);
    const running = instance.status !== 'Stopped';
    return {
      status: instance.status,
      statusCode: INSTANCE_STATUS_CODES[instance.status],
      pid: running ? instance.pid : 0,
      processes: running ? 1 : 0,
      memory: { usage: 0, usagePeak: 0, swapUsage: 0, swapUsagePeak: 0 },
      cpu: { usageNs: 0 },
      network: running ? this.network(instance) : null,
    };
  }

  async exec(name: string, request: ExecRequest): Promise<ExecHandle> {
    this.injectedFailure('exec');
    assertExecRequest(request);
    if (request.interactive) assertWindowSize(request.interactive);
    const instance = this.instance(name);
    if (instance.status === 'Frozen') throw instanceStateErrors.frozen();
    if (instance.status !== 'Running') throw instanceStateErrors.notRunning();
    if (request.cwd !== undefined && request.cwd !== '/') {
      const resolved = await instance.files.resolve(request.cwd, true);
      if (resolved.node?.type !== 'directory') {
        throw new RuntimeError('InvalidArgument', `The working directory "${request.cwd}" is not a directory in the container`);
      }
    }
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = request.interactive ? stdout : new PassThrough();
    let windowSize: WindowSize | null = request.interactive ? { ...request.interactive } : null;
    const listeners: ((signal: NodeJS.Signals | number) => void)[] = [];
    let finish!: (code: number) => void;
    let finished = false;
    const exitCode = new Promise<number>((resolve) => {
      finish = (code) => {
        if (finished) return;
        finished = true;
        stdout.end();
        if (stderr !== stdout) stderr.end();
        // Like a real process: output already written reaches the readers before the exit code.
        setImmediate(() => resolve(code));
      };
    });
    const io: FakeExecIo = {
      stdin,
      stdout,
      stderr,
      windowSize: () => windowSize,
      onSignal: (listener) => listeners.push(listener),
    };
    this.execHandler(name, request, io).then(finish, (error: Error) => {
      stderr.write(`${error.message}\n`);
      finish(1);
    });
    return {
      interactive: request.interactive !== undefined,
      stdin,
      stdout,
      stderr: request.interactive ? null : stderr,
      signal: async (signal) => {
        if (finished) return;
        if (listeners.length > 0) listeners.forEach((listener) => listener(signal));
        else finish(128 + signalNumber(signal));
      },
      resize: (size) => {
        if (!request.interactive) throw new RuntimeError('InvalidState', 'Only an interactive command has a terminal to resize');
        assertWindowSize(size);
        windowSize = { ...size };
      },
      exitCode,
    };
  }

  async readFile(name: string, path: string): Promise<ContainerFile> {
    this.injectedFailure('readFile');
    return this.instance(name).files.read(path);
  }

  async listDirectory(name: string, path: string): Promise<DirectoryEntry[]> {
    this.injectedFailure('listDirectory');
    return this.instance(name).files.list(path);
  }

  async writeFile(name: string, request: WriteFileRequest): Promise<void> {
    this.injectedFailure('writeFile');
    return this.instance(name).files.write(request);
  }

  async deleteFile(name: string, path: string, options: DeleteFileOptions = {}): Promise<void> {
    this.injectedFailure('deleteFile');
    return this.instance(name).files.delete(path, options);
  }

  async setLimits(name: string, limits: Readonly<Record<string, string>>): Promise<AppliedLimits | null> {
    this.injectedFailure('setLimits');
    for (const key of Object.keys(limits)) {
      if (!key.startsWith('limits.')) throw new RuntimeError('InvalidArgument', `"${key}" is not a limits.* key`);
    }
    const instance = this.instance(name);
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(instance.info.config)) if (!key.startsWith('limits.')) config[key] = value;
    Object.assign(config, limitEntries(limits));
    const applied = this.selectedLimits(parseInstanceLimits(config, this.hostMemoryBytes));
    instance.info = { ...instance.info, config };
    return instance.status === 'Stopped' ? null : applied;
  }

  async readLimits(name: string): Promise<AppliedLimits> {
    this.injectedFailure('readLimits');
    const instance = this.instance(name);
    if (instance.status === 'Stopped') throw instanceStateErrors.notRunning();
    return this.selectedLimits(parseInstanceLimits(instance.info.config, this.hostMemoryBytes));
  }

  async logs(name: string): Promise<InstanceLogFile[]> {
    this.injectedFailure('logs');
    const instance = this.instance(name);
    return [{ name: 'lxc.log', path: `memory://${name}/lxc.log`, content: instance.log.map((line) => `${line}\n`).join('') }];
  }

  async createSnapshot(name: string, snapshot: string): Promise<SnapshotInfo> {
    this.injectedFailure('createSnapshot');
    assertSnapshotName(snapshot);
    const instance = this.instance(name);
    if (instance.snapshots.has(snapshot)) throw new RuntimeError('AlreadyExists', `Snapshot "${snapshot}" of "${name}" already exists`);
    const createdAt = this.clock.now();
    instance.snapshots.set(snapshot, { createdAt, files: instance.files.clone() });
    return { name: snapshot, createdAt };
  }

  async restoreSnapshot(name: string, snapshot: string): Promise<void> {
    this.injectedFailure('restoreSnapshot');
    assertSnapshotName(snapshot);
    const instance = this.instance(name);
    const saved = this.snapshot(instance, name, snapshot);
    if (instance.status !== 'Stopped') throw instanceStateErrors.runningOn('restoring a snapshot');
    instance.files = saved.files.clone();
  }

  async renameSnapshot(name: string, snapshot: string, newName: string): Promise<SnapshotInfo> {
    this.injectedFailure('renameSnapshot');
    assertSnapshotName(snapshot);
    assertSnapshotName(newName);
    const instance = this.instance(name);
    const saved = this.snapshot(instance, name, snapshot);
    if (instance.snapshots.has(newName)) throw new RuntimeError('AlreadyExists', `Snapshot "${newName}" of "${name}" already exists`);
    instance.snapshots.delete(snapshot);
    instance.snapshots.set(newName, saved);
    return { name: newName, createdAt: saved.createdAt };
  }

  async deleteSnapshot(name: string, snapshot: string): Promise<void> {
    this.injectedFailure('deleteSnapshot');
    assertSnapshotName(snapshot);
    const instance = this.instance(name);
    this.snapshot(instance, name, snapshot);
    instance.snapshots.delete(snapshot);
  }

  async listSnapshots(name: string): Promise<SnapshotInfo[]> {
    this.injectedFailure('listSnapshots');
    return [...this.instance(name).snapshots.entries()]
      .map(([snapshot, saved]) => ({ name: snapshot, createdAt: saved.createdAt }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  }

  private injectedFailure(operation: Operation): void {
    const error = this.failures.get(operation);
    if (error) {
      this.failures.delete(operation);
      throw error;
    }
  }

  private instance(name: string): FakeInstance {
    assertInstanceName(name);
    const instance = this.instances.get(name);
    if (!instance) throw instanceStateErrors.notFound(name);
    return instance;
  }

  private snapshot(instance: FakeInstance, name: string, snapshot: string): { createdAt: Date; files: InMemoryFileTree } {
    const saved = instance.snapshots.get(snapshot);
    if (!saved) throw new RuntimeError('NotFound', `Snapshot "${snapshot}" of "${name}" does not exist`);
    return saved;
  }

  private copyInfo(info: InstanceInfo): InstanceInfo {
    return {
      ...info,
      config: { ...info.config },
      nics: info.nics.map((nic) => ({ ...nic })),
      idmap: info.idmap ? { ...info.idmap } : null,
      createdAt: new Date(info.createdAt),
    };
  }

  private logEvent(instance: FakeInstance, event: string): void {
    instance.log.push(`${this.clock.now().toISOString()} ${instance.info.name} ${event}`);
  }

  private stopInstance(instance: FakeInstance, options: StopOptions): void {
    const timeout = options.timeoutSeconds ?? 30;
    if (!Number.isInteger(timeout) || timeout < 0) {
      throw new RuntimeError('InvalidArgument', `Invalid stop timeout ${timeout}: expected a whole number of seconds`);
    }
    if (instance.status === 'Stopped') throw instanceStateErrors.alreadyStopped();
    instance.status = 'Stopped';
    instance.pid = 0;
    this.logEvent(instance, options.force ? 'killed' : 'stopped');
  }

  /** What the kernel would show for these limits (memory rounded down to whole pages). */
  private selectedLimits(limits: InstanceLimits): AppliedLimits {
    const memory = limits.memory;
    const pages = (bytes: number) => Math.floor(bytes / PAGE_SIZE) * PAGE_SIZE;
    const hard = memory && memory.enforce === 'hard' ? pages(memory.bytes) : null;
    return {
      memoryLimitBytes: hard,
      memorySoftLimitBytes: memory && memory.enforce === 'soft' ? pages(memory.bytes) : null,
      memorySwapLimitBytes: memory && !memory.swap && hard !== null ? hard : null,
      cpuSet: formatCpuList(limits.cpu ? selectCpus(limits.cpu, this.hostCpus) : this.hostCpus),
      cpuQuotaMicros: limits.cpuAllowance?.kind === 'quota' ? limits.cpuAllowance.quotaMicros : null,
      cpuPeriodMicros: limits.cpuAllowance?.kind === 'quota' ? limits.cpuAllowance.periodMicros : 100_000,
      cpuShares: limits.cpuAllowance?.kind === 'share' ? sharesForPercent(limits.cpuAllowance.percent) : 1024,
      processesMax: limits.processes ?? null,
    };
  }

  private network(instance: FakeInstance): Record<string, NetworkInterfaceState> {
    const counters = {
      bytesReceived: 0,
      bytesSent: 0,
      packetsReceived: 0,
      packetsSent: 0,
      errorsReceived: 0,
      errorsSent: 0,
      packetsDroppedInbound: 0,
      packetsDroppedOutbound: 0,
    };
    const result: Record<string, NetworkInterfaceState> = {
      lo: {
        addresses: [{ family: 'inet', address: '127.0.0.1', netmask: '8', scope: 'local' }],
        counters: { ...counters },
        hwaddr: '00:00:00:00:00:00',
        hostName: '',
        mtu: 65536,
        state: 'up',
        type: 'loopback',
      },
    };
    for (const nic of instance.info.nics) {
      result[nic.name] = {
        addresses: nic.ipv4 ? [{ family: 'inet', address: nic.ipv4.address, netmask: String(nic.ipv4.prefixLength), scope: 'global' }] : [],
        counters: { ...counters },
        hwaddr: nic.hwaddr,
        hostName: nic.hostName,
        mtu: nic.mtu ?? 1500,
        state: 'up',
        type: 'broadcast',
      };
    }
    return result;
  }

  private async renderTemplates(instance: FakeInstance, trigger: TemplateTrigger): Promise<void> {
    const info = instance.info;
    for (const [target, template] of Object.entries(instance.image.templates ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if (!template.when.includes(trigger)) continue;
      if (template.createOnly && (await instance.files.exists(target))) continue;
      const devices: Record<string, Record<string, string>> = {};
      for (const nic of info.nics) devices[nic.name] = { type: 'nic', nictype: 'bridged', parent: nic.bridge, name: nic.name };
      const content = renderTemplate(
        template.source,
        templateContext(
          { name: info.name, architecture: info.architecture, privileged: info.privileged, ephemeral: false, config: info.config, devices },
          trigger,
          target,
          template.properties,
        ),
      );
      await instance.files.write({ path: target, content, createParents: true });
    }
  }
}
