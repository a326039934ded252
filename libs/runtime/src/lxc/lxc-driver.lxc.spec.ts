/**
 * LxcDriver against the real LXC of this host (run as root): privileged and unprivileged busybox
 * containers through their whole life, exec on pipes and on a pty, files, limits, freezing, snapshots,
 * a NIC on a bridge inside a network namespace made for the test, and cleanup after failed starts.
 * Everything lives below a temporary directory with a private lxcpath; `afterAll` removes it all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { controllerLocation, detectCgroupLayout } from '../cgroup/cgroup-layout';
import { ExecHandle, ExecRequest, InstanceInfo } from '../driver/runtime-driver';
import { RuntimeError } from '../errors/runtime-error';
import { NodeKernelFiles } from '../process/kernel-files';
import { LxcTestEnvironment } from '../testing/lxc-test-environment';
import { LxcDriver } from './lxc-driver';

jest.setTimeout(60_000);

interface Finished {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function collect(stream: Readable | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

async function finish(handle: ExecHandle): Promise<Finished> {
  const [stdout, stderr, exitCode] = await Promise.all([collect(handle.stdout), collect(handle.stderr), handle.exitCode]);
  return { stdout, stderr, exitCode };
}

async function run(driver: LxcDriver, name: string, command: string[], request: Partial<ExecRequest> = {}, input?: string): Promise<Finished> {
  const handle = await driver.exec(name, { command, ...request });
  handle.stdin.end(input);
  return finish(handle);
}

/** Resolves once the text accumulated from `stream` satisfies `done`. */
function waitForOutput(stream: Readable, read: () => string, done: (text: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (done(read())) {
        stream.off('data', check);
        resolve();
      }
    };
    stream.on('data', check);
    stream.once('end', () => (done(read()) ? resolve() : reject(new Error(`output ended without the expected text: ${JSON.stringify(read())}`))));
    check();
  });
}

async function failure(promise: Promise<unknown>): Promise<RuntimeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RuntimeError) return error;
    throw error;
  }
  throw new Error('the operation succeeded');
}

async function cgroupFile(name: string, controller: string, v1File: string, v2File: string): Promise<string> {
  const files = new NodeKernelFiles();
  const layout = await detectCgroupLayout(fs.readFileSync('/proc/self/mounts', 'utf8'), files);
  const location = controllerLocation(layout, controller);
  if (!location) throw new Error(`no ${controller} controller`);
  return fs.readFileSync(`${location.mountPoint}/lxc.payload.${name}/${location.version === 1 ? v1File : v2File}`, 'utf8').trim();
}

describe('LxcDriver on real LXC', () => {
  let env: LxcTestEnvironment;
  let driver: LxcDriver;

  beforeAll(async () => {
    env = await LxcTestEnvironment.create();
    driver = env.driver('main');
  });

  afterAll(async () => {
    if (!env) return;
    const leftovers = await env.leftoverCgroups();
    await env.cleanup();
    expect(fs.existsSync(env.base)).toBe(false);
    expect(leftovers).toEqual([]);
  });

  describe('a privileged container', () => {
    let name: string;
    let info: InstanceInfo;

    beforeAll(async () => {
      name = env.instanceName(driver, 'p');
      info = await driver.create({
        name,
        imageDirectory: env.image.directory,
        privileged: true,
        config: { 'limits.memory': '64MiB', 'limits.processes': '50', 'limits.cpu.allowance': '50ms/100ms' },
      });
    });

    it('is created stopped from the image, with busybox halting on SIGUSR1', async () => {
      expect(info).toMatchObject({ name, hostname: name, privileged: true, idmap: null, haltSignal: 'SIGUSR1', architecture: env.image.metadata.architecture });
      expect((await driver.state(name)).status).toBe('Stopped');
      expect(await driver.readFile(name, '/etc/hostname')).toMatchObject({ type: 'file', content: Buffer.from(`${name}\n`) });
    });

    it('starts and reports its state', async () => {
      await driver.start(name);
      const state = await driver.state(name);
      expect(state.status).toBe('Running');
      expect(state.pid).toBeGreaterThan(1);
      expect(state.processes).toBeGreaterThanOrEqual(1);
      expect(state.memory.usage).toBeGreaterThan(0);
      expect(state.cpu.usageNs).toBeGreaterThan(0);
      expect(state.network?.lo).toMatchObject({ type: 'loopback', state: 'up' });
      expect(fs.readFileSync(`/proc/${state.pid}/status`, 'utf8')).toMatch(/^Uid:\s+0\s/m);
      expect((await failure(driver.start(name))).message).toBe('The instance is already running');
    });

    it('runs commands with their output, exit codes, input, environment, ids and working directory', async () => {
      const uname = await run(driver, name, ['uname', '-a']);
      expect(uname).toMatchObject({ exitCode: 0, stderr: '' });
      expect(uname.stdout).toMatch(/^Linux \S+ /);
      expect(await run(driver, name, ['hostname'])).toEqual({ stdout: `${name}\n`, stderr: '', exitCode: 0 });
      expect(await run(driver, name, ['sh', '-c', 'echo out; echo err >&2; exit 7'])).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 7 });
      const missing = await run(driver, name, ['/no/such/command']);
      expect(missing.exitCode).toBe(127);
      expect(missing.stderr).toContain('Failed to exec "/no/such/command"');
      expect((await run(driver, name, ['cat'], {}, 'piped stdin')).stdout).toBe('piped stdin');
      expect((await run(driver, name, ['sh', '-c', 'echo "$GREETING|$HOME"'], { environment: { GREETING: 'hi there' } })).stdout).toBe('hi there|\n');
      expect((await run(driver, name, ['sh', '-c', 'id -u; id -g'], { uid: 1000, gid: 1001 })).stdout).toBe('1000\n1001\n');
      expect((await run(driver, name, ['pwd'])).stdout).toBe('/\n');
      expect((await run(driver, name, ['pwd'], { cwd: '/etc' })).stdout).toBe('/etc\n');
      expect((await failure(driver.exec(name, { command: ['pwd'], cwd: '/etc/hostname' }))).message).toMatch(/is not a directory/);
    });

    it('delivers signals to the command', async () => {
      const handle = await driver.exec(name, { command: ['sleep', '300'] });
      handle.stdin.end();
      await handle.signal('SIGTERM');
      expect((await finish(handle)).exitCode).toBe(143);
    });

    it('runs interactive commands on a pty inside the container, with resizing', async () => {
      const tty = await driver.exec(name, { command: ['tty'], interactive: { columns: 80, rows: 24 } });
      expect(tty.stderr).toBeNull();
      const ttyResult = await finish(tty);
      expect(ttyResult.exitCode).toBe(0);
      expect(ttyResult.stdout).toMatch(/^\/dev\/pts\/\d+\r\n$/);

      const shell = await driver.exec(name, { command: ['/bin/sh'], interactive: { columns: 80, rows: 24 }, environment: { TERM: 'dumb' } });
      let output = '';
      shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      // Typed at once: the driver holds input back until the shell runs.
      shell.stdin.write('stty size\n');
      await waitForOutput(shell.stdout, () => output, (text) => /^24 80\r$/m.test(text));
      shell.resize({ columns: 132, rows: 43 });
      shell.stdin.write('stty size\n');
      await waitForOutput(shell.stdout, () => output, (text) => /^43 132\r$/m.test(text));
      shell.stdin.write('exit 5\n');
      expect(await shell.exitCode).toBe(5);
    }, 20_000);

    it('pushes and pulls files with owners and modes, confined to the container', async () => {
      await driver.writeFile(name, { path: '/root/pushed.txt', content: 'pushed content\n', uid: 1000, gid: 1001, mode: 0o640 });
      expect((await run(driver, name, ['stat', '-c', '%u %g %a', '/root/pushed.txt'])).stdout).toBe('1000 1001 640\n');
      expect((await run(driver, name, ['cat', '/root/pushed.txt'])).stdout).toBe('pushed content\n');
      await run(driver, name, ['sh', '-c', 'echo made inside > /root/inside.txt && ln -s /etc /root/etc-abs && ln -s ../../../../../etc /root/escape']);
      expect(await driver.readFile(name, '/root/inside.txt')).toMatchObject({ type: 'file', content: Buffer.from('made inside\n'), uid: 0, mode: 0o644 });
      expect(await driver.readFile(name, '/root/etc-abs/hostname')).toMatchObject({ content: Buffer.from(`${name}\n`) });
      expect(await driver.readFile(name, '/root/etc-abs')).toMatchObject({ type: 'symlink', target: '/etc' });
      expect((await failure(driver.readFile(name, '/root/escape/passwd'))).message).toMatch(/escapes the container root through the symbolic link/);
      expect((await failure(driver.writeFile(name, { path: '/../../tmp/evil', content: 'x' }))).message).toMatch(/escapes the container root/);
      expect((await driver.listDirectory(name, '/root')).map((entry) => entry.name)).toEqual(['escape', 'etc-abs', 'inside.txt', 'pushed.txt']);
      await driver.deleteFile(name, '/root/pushed.txt');
      expect((await run(driver, name, ['test', '-e', '/root/pushed.txt'])).exitCode).toBe(1);
    });

    it('applies its limits, reads them back, and changes them while running', async () => {
      expect(await driver.readLimits(name)).toMatchObject({ memoryLimitBytes: 64 * 1024 * 1024, processesMax: 50, cpuQuotaMicros: 50_000, cpuPeriodMicros: 100_000 });
      expect(await cgroupFile(name, 'memory', 'memory.limit_in_bytes', 'memory.max')).toBe(String(64 * 1024 * 1024));
      expect(await cgroupFile(name, 'pids', 'pids.max', 'pids.max')).toBe('50');
      const applied = await driver.setLimits(name, { 'limits.memory': '96MiB', 'limits.processes': '20', 'limits.cpu': '1', 'limits.cpu.allowance': '25ms/100ms' });
      expect(applied).toMatchObject({ memoryLimitBytes: 96 * 1024 * 1024, processesMax: 20, cpuSet: '0', cpuQuotaMicros: 25_000 });
      expect(await driver.readLimits(name)).toEqual(applied);
      expect(await cgroupFile(name, 'pids', 'pids.max', 'pids.max')).toBe('20');
      expect((await failure(driver.setLimits(name, { 'limits.kernel.nofile': '10' }))).message).toMatch(/Unsupported limit/);
    });

    it('freezes and unfreezes', async () => {
      await driver.freeze(name);
      expect((await driver.state(name)).status).toBe('Frozen');
      expect((await failure(driver.freeze(name))).message).toBe('The instance is already frozen');
      expect((await failure(driver.exec(name, { command: ['true'] }))).message).toBe('The instance is frozen');
      await driver.unfreeze(name);
      expect((await driver.state(name)).status).toBe('Running');
      expect((await failure(driver.unfreeze(name))).message).toBe('The instance is not frozen');
      expect((await run(driver, name, ['true'])).exitCode).toBe(0);
    });

    it('restores a snapshot: what was written after it is gone', async () => {
      await driver.writeFile(name, { path: '/root/before.txt', content: 'before' });
      await driver.createSnapshot(name, 'snap0');
      await driver.writeFile(name, { path: '/root/after.txt', content: 'after' });
      await driver.writeFile(name, { path: '/root/before.txt', content: 'changed' });
      expect((await driver.listSnapshots(name)).map((s) => s.name)).toEqual(['snap0']);
      expect((await failure(driver.restoreSnapshot(name, 'snap0'))).message).toBe('The instance is running; stop it before restoring a snapshot');

      await driver.stop(name, { timeoutSeconds: 20 });
      expect((await driver.state(name)).status).toBe('Stopped');
      expect((await failure(driver.stop(name))).message).toBe('The instance is already stopped');
      await driver.restoreSnapshot(name, 'snap0');
      expect((await failure(driver.readFile(name, '/root/after.txt'))).code).toBe('NotFound');
      expect(await driver.readFile(name, '/root/before.txt')).toMatchObject({ content: Buffer.from('before') });

      await driver.start(name);
      expect((await run(driver, name, ['cat', '/root/before.txt'])).stdout).toBe('before');
      expect((await run(driver, name, ['test', '-e', '/root/after.txt'])).exitCode).toBe(1);
      await driver.deleteSnapshot(name, 'snap0');
      expect(await driver.listSnapshots(name)).toEqual([]);
    });

    it('restarts, is killed on a forced stop, and is deleted without leftovers', async () => {
      const before = (await driver.state(name)).pid;
      await driver.restart(name, { timeoutSeconds: 20 });
      const after = await driver.state(name);
      expect(after.status).toBe('Running');
      expect(after.pid).not.toBe(before);
      expect((await failure(driver.delete(name))).message).toBe('The instance is running; stop it before deleting it');
      await driver.stop(name, { force: true });
      expect((await driver.state(name)).status).toBe('Stopped');
      expect((await driver.logs(name)).map((log) => log.name)).toEqual(expect.arrayContaining(['lxc.log', 'lxc.conf']));
      await driver.delete(name);
      expect(await driver.list()).not.toContain(name);
      expect(fs.existsSync(path.join(env.pool.root, 'containers', name))).toBe(false);
      expect((await env.leftoverCgroups()).filter((dir) => dir.endsWith(`.${name}`))).toEqual([]);
    });
  });

  describe('an unprivileged container', () => {
    let name: string;

    beforeAll(async () => {
      name = env.instanceName(driver, 'u');
    });

    it('runs as the mapped host ids on an idmapped copy of the image', async () => {
      const info = await driver.create({ name, imageDirectory: env.image.directory, privileged: false, config: { 'limits.memory': '64MiB' } });
      expect(info.idmap).not.toBeNull();
      const idmap = info.idmap as NonNullable<InstanceInfo['idmap']>;
      await driver.start(name);
      const state = await driver.state(name);
      expect(state.status).toBe('Running');
      expect(fs.readFileSync(`/proc/${state.pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${idmap.hostUid}\\s`, 'm'));
      expect((await run(driver, name, ['cat', '/proc/self/uid_map'])).stdout.trim().split(/\s+/)).toEqual(['0', String(idmap.hostUid), String(idmap.size)]);
      expect((await run(driver, name, ['hostname'])).stdout).toBe(`${name}\n`);
      expect((await driver.readLimits(name)).memoryLimitBytes).toBe(64 * 1024 * 1024);
    });

    it('keeps container ids on disk for files written from either side', async () => {
      await driver.writeFile(name, { path: '/root/pushed', content: 'x', uid: 1000, gid: 1000 });
      expect((await run(driver, name, ['stat', '-c', '%u:%g', '/root/pushed'])).stdout).toBe('1000:1000\n');
      expect((await run(driver, name, ['sh', '-c', 'echo inside > /root/inside'])).exitCode).toBe(0);
      const onDisk = fs.statSync(path.join(env.pool.root, 'containers', name, 'rootfs/root/inside'));
      expect([onDisk.uid, onDisk.gid]).toEqual([0, 0]);
      expect(await driver.readFile(name, '/root/inside')).toMatchObject({ content: Buffer.from('inside\n'), uid: 0 });
    });

    it('restores snapshots of its copy volume', async () => {
      await driver.createSnapshot(name, 'clean');
      await run(driver, name, ['touch', '/root/later']);
      await driver.stop(name, { force: true });
      await driver.restoreSnapshot(name, 'clean');
      expect((await failure(driver.readFile(name, '/root/later'))).code).toBe('NotFound');
      expect(await driver.readFile(name, '/root/inside')).toMatchObject({ content: Buffer.from('inside\n') });
      await driver.delete(name);
    });
  });

  it('reports a failed start with the reason from the LXC log and leaves no cgroups behind', async () => {
    const name = env.instanceName(driver, 'f');
    await driver.create({ name, imageDirectory: env.image.directory, privileged: true });
    await driver.writeFile(name, { path: '/sbin/init', type: 'symlink', target: '/nonexistent/init' });
    const error = await failure(driver.start(name));
    expect(error.code).toBe('Failed');
    expect(error.message).toContain(`Cannot start instance "${name}"`);
    expect(error.message).toMatch(/init/);
    expect((await driver.state(name)).status).toBe('Stopped');
    expect((await env.leftoverCgroups()).filter((dir) => dir.endsWith(`.${name}`))).toEqual([]);
    await driver.delete(name);
  });

  it('kills a container whose init ignores the halt signal once the grace period is over', async () => {
    const name = env.instanceName(driver, 'k');
    await driver.create({ name, imageDirectory: env.image.directory, privileged: true, haltSignal: 'SIGWINCH' });
    await driver.start(name);
    await driver.stop(name, { timeoutSeconds: 1 });
    expect((await driver.state(name)).status).toBe('Stopped');
    await driver.delete(name);
  });

  it('attaches a NIC to a bridge in a network namespace made for the test', async () => {
    const { prefix } = await env.networkNamespace('192.0.2.1');
    const netDriver = env.driver('netns', { lxcCommandPrefix: prefix });
    const name = env.instanceName(netDriver, 'n', prefix);
    const info = await netDriver.create({
      name,
      imageDirectory: env.image.directory,
      privileged: true,
      config: { 'limits.processes': '40' },
      nics: [{ name: 'eth0', bridge: 'br0', hostName: `vc${env.runId}`, mtu: 1400, hwaddr: '00:16:3e:12:34:56', ipv4: { address: '192.0.2.10', prefixLength: 24, gateway: '192.0.2.1' } }],
    });
    await netDriver.start(name);
    const state = await netDriver.state(name);
    expect(state.network?.eth0).toMatchObject({
      addresses: expect.arrayContaining([{ family: 'inet', address: '192.0.2.10', netmask: '24', scope: 'global' }]),
      hwaddr: '00:16:3e:12:34:56',
      hostName: info.nics[0].hostName,
      mtu: 1400,
      state: 'up',
      type: 'broadcast',
    });
    expect((await run(netDriver, name, ['ip', '-4', 'address', 'show', 'eth0'])).stdout).toContain('inet 192.0.2.10/24 brd 192.0.2.255');
    expect((await run(netDriver, name, ['ip', 'route', 'show', 'default'])).stdout).toContain('default via 192.0.2.1 dev eth0');
    expect((await run(netDriver, name, ['ping', '-c', '1', '-W', '2', '192.0.2.1'])).exitCode).toBe(0);
    expect((await netDriver.state(name)).network?.eth0.counters.packetsReceived).toBeGreaterThan(0);
    expect((await netDriver.readLimits(name)).processesMax).toBe(40);
    await netDriver.stop(name, { force: true });
    await netDriver.delete(name);
  });
});
