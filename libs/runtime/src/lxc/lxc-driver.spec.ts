/**
 * LxcDriver against a scripted imitation of the lxc-* tools and of /proc and /sys: checks the command
 * lines, the config it writes, and its handling of failures, without running LXC. The real thing is
 * exercised by lxc-driver.lxc.spec.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRuntimeError, RuntimeError } from '../errors/runtime-error';
import { NodeCommandRunner } from '../process/node-command-runner';
import { ProcessInspector } from '../process/process-inspector';
import { DirStoragePool } from '../storage/dir-storage-pool';
import { HYBRID_MOUNTS } from '../testing/cgroup-fixtures';
import { MemoryKernelFiles } from '../testing/memory-kernel-files';
import { RecordedCall, ScriptedCommandRunner } from '../testing/scripted-command-runner';
import { CommandResult } from '../process/command-runner';
import { LxcDriver } from './lxc-driver';

const PID = 4242;

/** Imitates LXC: a state per container, applying `lxc.cgroup.*` config lines to the cgroup files at start. */
class ImitatedLxc {
  readonly states = new Map<string, { state: string; pid: number | null }>();
  startOutcome: 'ok' | 'fail' | 'ignore-limits' = 'ok';
  gracefulStopWorks = true;

  constructor(
    private readonly files: MemoryKernelFiles,
    private readonly lxcPath: string,
  ) {}

  handle(call: RecordedCall): Partial<CommandResult> {
    const args = call.command === 'env' ? call.args.slice(2) : call.args;
    const tool = call.command === 'env' ? path.basename(call.args[1]) : call.command;
    const name = args[args.indexOf('-n') + 1];
    const current = this.states.get(name) ?? { state: 'STOPPED', pid: null };
    switch (tool) {
      case 'lxc-info':
        return { stdout: `State:          ${current.state}\n${current.pid ? `PID:            ${current.pid}\n` : ''}` };
      case 'lxc-start':
        return this.start(name, args[args.indexOf('-o') + 1]);
      case 'lxc-stop':
        if (args.includes('-k') || this.gracefulStopWorks) {
          this.states.set(name, { state: 'STOPPED', pid: null });
          return {};
        }
        return { exitCode: 1, stderr: `lxc-stop: ${name}: Timed out waiting for clean shutdown\n` };
      case 'lxc-freeze':
        this.states.set(name, { ...current, state: 'FROZEN' });
        return {};
      case 'lxc-unfreeze':
        this.states.set(name, { ...current, state: 'RUNNING' });
        return {};
      case 'lxc-attach':
        return { stdout: 'attached\n', exitCode: 3 };
      case 'nsenter':
        return { stdout: JSON.stringify([{ ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536, link_type: 'loopback', address: '00:00:00:00:00:00' }]) };
      default:
        return {};
    }
  }

  private start(name: string, logFile: string): Partial<CommandResult> {
    if (this.startOutcome === 'fail') {
      fs.writeFileSync(
        logFile,
        [
          `lxc-start ${name} 20261201183617.701 ERROR    confile - get_config_unsupported_key:170 - Unsupported config key "lxc.seccomp"`,
          `lxc-start ${name} 20261201183617.702 ERROR    network - lxc_create_network_priv:3427 - No such file or directory - Failed to create network device`,
          `lxc-start ${name} 20261201183617.703 ERROR    start - lxc_spawn:1840 - Failed to create the network`,
        ].join('\n'),
      );
      this.files.addDirectory(`/sys/fs/cgroup/memory/lxc.monitor.${name}`);
      this.files.addDirectory(`/sys/fs/cgroup/pids/lxc.payload.${name}`);
      return { exitCode: 1, stderr: `lxc-start: ${name}: The container failed to start\n` };
    }
    this.states.set(name, { state: 'RUNNING', pid: PID });
    this.files.setFile(`/proc/${PID}/cgroup`, ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids'].map((c, i) => `${i + 1}:${c}:/lxc.payload.${name}`).join('\n'));
    const config = fs.readFileSync(path.join(this.lxcPath, name, 'config'), 'utf8');
    for (const line of config.split('\n')) {
      const match = /^lxc\.cgroup\.([a-z]+)\.(\S+) = (.*)$/.exec(line);
      if (!match || match[1] === 'devices') continue;
      if (this.startOutcome === 'ignore-limits' && match[1] === 'memory') continue;
      this.files.setFile(`/sys/fs/cgroup/${match[1]}/lxc.payload.${name}/${match[1]}.${match[2]}`, `${match[3]}\n`);
    }
    this.files.setFile(`/sys/fs/cgroup/memory/lxc.payload.${name}/memory.usage_in_bytes`, '356352\n');
    this.files.setFile(`/sys/fs/cgroup/pids/lxc.payload.${name}/pids.current`, '1\n');
    return {};
  }
}

describe('LxcDriver (scripted LXC)', () => {
  let base: string;
  let lxcPath: string;
  let imageDirectory: string;
  let files: MemoryKernelFiles;
  let lxc: ImitatedLxc;
  let runner: ScriptedCommandRunner;
  let pool: DirStoragePool;
  const processes: ProcessInspector = { children: async () => [], pidNamespace: async () => null, kill: () => true };

  function makeDriver(options: Partial<ConstructorParameters<typeof LxcDriver>[0]> = {}): LxcDriver {
    return new LxcDriver({
      lxcPath,
      pool,
      runner,
      kernelFiles: files,
      processes,
      hostMemoryBytes: 8 * 1024 ** 3,
      clock: { now: () => new Date('2026-02-03T04:05:06Z') },
      random: (size) => Buffer.alloc(size, 0x42),
      timeouts: { startMs: 11_000, commandMs: 7_000 },
      ...options,
    });
  }

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-lxcunit-'));
    lxcPath = path.join(base, 'lxc');
    pool = new DirStoragePool(path.join(base, 'pool'), { runner: new NodeCommandRunner() });
    imageDirectory = path.join(pool.imagesDirectory, 'a'.repeat(64));
    fs.mkdirSync(path.join(imageDirectory, 'rootfs/sbin'), { recursive: true });
    fs.mkdirSync(path.join(imageDirectory, 'rootfs/bin'), { recursive: true });
    fs.mkdirSync(path.join(imageDirectory, 'rootfs/etc'), { recursive: true });
    fs.writeFileSync(path.join(imageDirectory, 'rootfs/bin/busybox'), '');
    fs.symlinkSync('/bin/busybox', path.join(imageDirectory, 'rootfs/sbin/init'));
    fs.mkdirSync(path.join(imageDirectory, 'templates'));
    fs.writeFileSync(path.join(imageDirectory, 'templates/hostname.tpl'), '{{ container.name }}\n');
    fs.writeFileSync(
      path.join(imageDirectory, 'metadata.yaml'),
      'architecture: x86_64\ncreation_date: 1\ntemplates:\n  /etc/hostname:\n    when: [create]\n    template: hostname.tpl\n',
    );
    files = new MemoryKernelFiles({
      '/proc/self/mounts': HYBRID_MOUNTS,
      '/sys/fs/cgroup/unified/cgroup.controllers': '',
      '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes': '9223372036854771712',
      '/sys/fs/cgroup/cpuset/cpuset.cpus': '0-1\n',
      '/usr/bin/lxc-start': '',
      '/usr/bin/newuidmap': '',
      '/etc/subuid': '',
      '/etc/subgid': '',
    });
    lxc = new ImitatedLxc(files, lxcPath);
    runner = new ScriptedCommandRunner((call) => lxc.handle(call));
  });

  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  async function failure(promise: Promise<unknown>): Promise<RuntimeError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof RuntimeError) return error;
      throw error;
    }
    throw new Error('the operation succeeded');
  }

  it('creates a privileged container: overlay volume, rendered templates, config written by Cubed', async () => {
    const driver = makeDriver();
    const info = await driver.create({
      name: 'c1',
      imageDirectory,
      privileged: true,
      config: { 'limits.memory': '64MiB', 'limits.processes': '50' },
      nics: [{ name: 'eth0', bridge: 'br0', ipv4: { address: '10.1.0.5', prefixLength: 16, gateway: '10.1.0.1' } }],
    });
    expect(info).toMatchObject({ name: 'c1', hostname: 'c1', privileged: true, haltSignal: 'SIGUSR1', idmap: null, architecture: 'x86_64' });
    expect(info.nics[0]).toMatchObject({ hostName: 'veth42424242', hwaddr: '00:16:3e:42:42:42' });

    const mountPoint = path.join(lxcPath, 'c1', 'rootfs');
    const upper = path.join(base, 'pool/containers/c1/upper');
    expect(runner.commandLines('mount')).toEqual([
      `mount -t overlay overlay -o lowerdir=${imageDirectory}/rootfs,upperdir=${upper},workdir=${path.join(base, 'pool/containers/c1/work')} ${mountPoint}`,
    ]);
    expect(runner.commandLines('umount')).toEqual([`umount ${mountPoint}`]);
    // Nothing was really mounted here, so the template landed in the mount point directory itself.
    expect(fs.readFileSync(path.join(mountPoint, 'etc/hostname'), 'utf8')).toBe('c1\n');

    const config = fs.readFileSync(path.join(lxcPath, 'c1', 'config'), 'utf8');
    expect(config).toContain(`lxc.rootfs.path = overlay:${imageDirectory}/rootfs:${upper}\n`);
    expect(config).toContain('lxc.signal.halt = SIGUSR1\n');
    expect(config).toContain('lxc.net.0.ipv4.address = 10.1.0.5/16 10.1.255.255\n');
    expect(config).toContain('lxc.cgroup.memory.limit_in_bytes = 67108864\n');
    expect(config).toContain('lxc.cgroup.pids.max = 50\n');
    expect(config).not.toContain('cgroup2');
    expect(await driver.list()).toEqual(['c1']);
    expect((await failure(driver.create({ name: 'c1', imageDirectory, privileged: true }))).message).toBe('Instance "c1" already exists');
  });

  it('cleans up everything when creation fails', async () => {
    const driver = makeDriver();
    fs.writeFileSync(path.join(imageDirectory, 'templates/hostname.tpl'), '{% for x in y %}');
    const error = await failure(driver.create({ name: 'c1', imageDirectory, privileged: true }));
    expect(error.message).toMatch(/Cannot render template "hostname.tpl".*unsupported tag "for"/);
    expect(fs.readdirSync(lxcPath)).toEqual([]);
    expect(fs.readdirSync(path.join(base, 'pool/containers'))).toEqual([]);
    expect((await failure(driver.create({ name: 'c2', imageDirectory, privileged: true, config: { 'limits.cpu': '3' } }))).message).toMatch(
      /asks for 3 CPUs but the host has 2/,
    );
  });

  it('starts with lxc-start -d and a log file, verifies the limits, and reports state from the cgroups', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true, config: { 'limits.memory': '64MiB' } });
    await driver.start('c1');
    const start = runner.calls.find((call) => call.command === 'lxc-start');
    expect(start?.args).toEqual(['-P', lxcPath, '-n', 'c1', '-d', '-o', path.join(lxcPath, 'c1', 'lxc.log'), '-l', 'INFO']);
    expect(start?.timeoutMs).toBe(11_000);
    expect(start?.env?.PATH).toContain('/usr/bin');
    expect(runner.calls.filter((call) => call.command === 'lxc-info').every((call) => call.timeoutMs === 7_000)).toBe(true);

    const state = await driver.state('c1');
    expect(state).toMatchObject({ status: 'Running', statusCode: 103, pid: PID, processes: 1, memory: { usage: 356352 } });
    expect(state.network?.lo.type).toBe('loopback');
    expect(runner.commandLines('nsenter')).toEqual([`nsenter --target=${PID} --net -- ip -json -stats address show`]);
    expect((await driver.readLimits('c1')).memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect((await failure(driver.start('c1'))).message).toBe('The instance is already running');
  });

  it('turns a failed start into an error with the log excerpt and removes the leftover cgroups', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true });
    lxc.startOutcome = 'fail';
    const error = await failure(driver.start('c1'));
    expect(error.code).toBe('Failed');
    expect(error.message).toContain('Cannot start instance "c1"');
    expect(error.message).toContain('Failed to create network device');
    expect(error.message).not.toContain('lxc.seccomp');
    expect(await files.exists('/sys/fs/cgroup/memory/lxc.monitor.c1')).toBe(false);
    expect(await files.exists('/sys/fs/cgroup/pids/lxc.payload.c1')).toBe(false);
  });

  it('stops a container whose limits LXC ignored and says which', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true, config: { 'limits.memory': '64MiB', 'limits.processes': '9' } });
    lxc.startOutcome = 'ignore-limits';
    const error = await failure(driver.start('c1'));
    expect(isRuntimeError(error, 'LimitNotApplied')).toBe(true);
    expect(error.message).toContain('memory.limit_in_bytes is missing (wanted 67108864)');
    expect(error.message).not.toContain('pids.max');
    expect(runner.commandLines('lxc-stop').at(-1)).toBe(`lxc-stop -P ${lxcPath} -n c1 -k`);
    expect((await driver.state('c1')).status).toBe('Stopped');
  });

  it('stops with a grace period, kills when that is not enough, and kills directly when forced', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true });
    await driver.start('c1');
    await driver.stop('c1', { timeoutSeconds: 5 });
    expect(runner.commandLines('lxc-stop')).toEqual([`lxc-stop -P ${lxcPath} -n c1 -t 5 --nokill`]);
    const graceful = runner.calls.find((call) => call.command === 'lxc-stop');
    expect(graceful?.timeoutMs).toBe(5_000 + 30_000);

    await driver.start('c1');
    lxc.gracefulStopWorks = false;
    await driver.stop('c1', { timeoutSeconds: 1 });
    expect(runner.commandLines('lxc-stop').slice(1)).toEqual([`lxc-stop -P ${lxcPath} -n c1 -t 1 --nokill`, `lxc-stop -P ${lxcPath} -n c1 -k`]);

    await driver.start('c1');
    await driver.freeze('c1');
    await driver.stop('c1', { force: true });
    expect(runner.commandLines('lxc-unfreeze')).toEqual([`lxc-unfreeze -P ${lxcPath} -n c1`]);
    expect(runner.commandLines('lxc-stop').slice(3)).toEqual([`lxc-stop -P ${lxcPath} -n c1 -k`]);
    expect((await failure(driver.stop('c1'))).message).toBe('The instance is already stopped');
    expect((await failure(driver.stop('c1', { timeoutSeconds: 1.5 }))).message).toMatch(/Invalid stop timeout/);
  });

  it('runs lxc-start without the shadow idmap tools when root has no delegated range', async () => {
    const driver = makeDriver();
    const info = await driver.create({ name: 'u1', imageDirectory, privileged: false });
    expect(info.idmap).toEqual({ hostUid: 1000000, hostGid: 1000000, size: 65536 });
    expect(fs.readFileSync(path.join(base, 'pool/containers/u1/rootfs/etc/hostname'), 'utf8')).toBe('u1\n');
    expect(runner.commandLines('mount')).toEqual([]);
    const config = fs.readFileSync(path.join(lxcPath, 'u1', 'config'), 'utf8');
    expect(config).toContain(`lxc.rootfs.path = dir:${base}/pool/containers/u1/rootfs\n`);
    expect(config).toContain('lxc.rootfs.options = idmap=container\n');
    expect(config).toContain('lxc.idmap = u 0 1000000 65536\n');
    await driver.start('u1');
    const start = runner.calls.find((call) => call.command === 'env');
    expect(start?.args.slice(0, 2)).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin', '/usr/bin/lxc-start']);
  });

  it('lets LXC use the shadow tools when root has a delegated range', async () => {
    files.setFile('/etc/subuid', 'root:100000:65536\n');
    files.setFile('/etc/subgid', 'root:100000:65536\n');
    const driver = makeDriver();
    expect((await driver.create({ name: 'u1', imageDirectory, privileged: false })).idmap).toEqual({ hostUid: 100000, hostGid: 100000, size: 65536 });
    await driver.start('u1');
    expect(runner.commandLines('lxc-start')).toHaveLength(1);
    expect(runner.commandLines('env')).toEqual([]);
  });

  it('execs through lxc-attach and refuses when not running or frozen', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true });
    expect((await failure(driver.exec('c1', { command: ['true'] }))).message).toBe('The instance is not running');
    await driver.start('c1');
    const handle = await driver.exec('c1', { command: ['echo', 'hi'], environment: { A: '1' } });
    expect(await handle.exitCode).toBe(3);
    const attach = runner.calls.find((call) => call.command === 'lxc-attach');
    expect(attach?.spawned).toBe(true);
    expect(attach?.args).toEqual(['-P', lxcPath, '-n', 'c1', '--clear-env', '-v', 'A=1', '-u', '0', '-g', '0', '--', 'echo', 'hi']);
    await driver.freeze('c1');
    expect((await failure(driver.exec('c1', { command: ['true'] }))).message).toBe('The instance is frozen');
  });

  it('changes limits of a running container in its cgroups and keeps them for the next start', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true, config: { 'limits.memory': '64MiB', 'user.note': 'kept' } });
    expect(await driver.setLimits('c1', { 'limits.processes': '30' })).toBeNull();
    await driver.start('c1');
    for (const [file, value] of Object.entries({
      'cpuset/lxc.payload.c1/cpuset.cpus': '0-1',
      'cpu/lxc.payload.c1/cpu.shares': '1024',
      'memory/lxc.payload.c1/memory.soft_limit_in_bytes': '-1',
      'memory/lxc.payload.c1/memory.memsw.limit_in_bytes': '-1',
    })) {
      files.setFile(`/sys/fs/cgroup/${file}`, value);
    }
    const applied = await driver.setLimits('c1', { 'limits.memory': '128MiB', 'limits.cpu': '1-1' });
    expect(applied).toMatchObject({ memoryLimitBytes: 128 * 1024 * 1024, cpuSet: '1', processesMax: null });
    const writes = files.writes.map((w) => `${w.path.replace('/sys/fs/cgroup/', '')}=${w.value}`);
    expect(writes).toContain('memory/lxc.payload.c1/memory.limit_in_bytes=134217728');
    expect(writes).toContain('pids/lxc.payload.c1/pids.max=max');
    expect((await driver.info('c1')).config).toEqual({ 'user.note': 'kept', 'limits.memory': '128MiB', 'limits.cpu': '1-1' });
    expect(fs.readFileSync(path.join(lxcPath, 'c1', 'config'), 'utf8')).toContain('lxc.cgroup.cpuset.cpus = 1\n');
  });

  it('refuses deletion, rename and restore of a running container, and deletes a stopped one entirely', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true });
    await driver.start('c1');
    expect((await failure(driver.delete('c1'))).message).toBe('The instance is running; stop it before deleting it');
    expect((await failure(driver.rename('c1', 'c2'))).message).toBe('The instance is running; stop it before renaming it');
    await driver.createSnapshot('c1', 'snap0');
    expect((await failure(driver.restoreSnapshot('c1', 'snap0'))).message).toBe('The instance is running; stop it before restoring a snapshot');
    await driver.stop('c1', { force: true });
    const renamed = await driver.rename('c1', 'c2');
    expect(renamed.hostname).toBe('c2');
    expect(fs.readFileSync(path.join(lxcPath, 'c2', 'config'), 'utf8')).toContain('lxc.uts.name = c2\n');
    expect((await driver.listSnapshots('c2')).map((s) => s.name)).toEqual(['snap0']);
    await driver.delete('c2');
    expect(await driver.list()).toEqual([]);
    expect(fs.readdirSync(path.join(base, 'pool/containers'))).toEqual([]);
    expect((await failure(driver.info('c2'))).message).toBe('Instance "c2" not found');
  });

  it('unmounts layers left mounted by an earlier process before starting or deleting', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true });
    const mountPoint = path.join(lxcPath, 'c1', 'rootfs');
    files.setFile('/proc/self/mounts', `${HYBRID_MOUNTS}overlay ${mountPoint} overlay rw,lowerdir=x 0 0\n`);
    await driver.start('c1');
    expect(runner.commandLines('umount').at(-1)).toBe(`umount -l ${mountPoint}`);
    const before = runner.commandLines('umount').length;
    await driver.stop('c1', { force: true });
    await driver.delete('c1');
    expect(runner.commandLines('umount').slice(before)).toEqual([`umount -l ${mountPoint}`]);
  });

  it('reports its logs', async () => {
    const driver = makeDriver();
    await driver.create({ name: 'c1', imageDirectory, privileged: true });
    await driver.start('c1');
    fs.writeFileSync(path.join(lxcPath, 'c1', 'lxc.log'), 'log line\n');
    const logs = await driver.logs('c1');
    expect(logs.map((log) => log.name)).toEqual(['lxc.log', 'lxc.conf']);
    expect(logs[0]).toEqual({ name: 'lxc.log', path: path.join(lxcPath, 'c1', 'lxc.log'), content: 'log line\n' });
  });
});
