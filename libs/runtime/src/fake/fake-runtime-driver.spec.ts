import { isRuntimeError, RuntimeError } from '../errors/runtime-error';
import { FakeRuntimeDriver } from './fake-runtime-driver';

const IMAGE = '/images/busybox';

function driver(options: ConstructorParameters<typeof FakeRuntimeDriver>[0] = {}): FakeRuntimeDriver {
  const fake = new FakeRuntimeDriver({ clock: { now: () => new Date('2026-01-01T00:00:00Z') }, ...options });
  fake.addImage(IMAGE, {
    architecture: 'x86_64',
    files: { '/etc/hostname': 'image\n', '/bin/busybox': 'ELF' },
    templates: {
      '/etc/hostname': { when: ['create', 'copy'], createOnly: false, properties: {}, source: '{{ container.name }}\n' },
      '/etc/boot-count': { when: ['start'], createOnly: false, properties: {}, source: 'started by {{ trigger }}\n' },
    },
  });
  return fake;
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

describe('FakeRuntimeDriver', () => {
  it('follows the lifecycle with the same state errors as the LXC driver', async () => {
    const fake = driver();
    await fake.create({ name: 'c1', imageDirectory: IMAGE, privileged: true });
    expect(await fake.list()).toEqual(['c1']);
    expect((await fake.state('c1')).status).toBe('Stopped');
    expect((await failure(fake.stop('c1'))).message).toBe('The instance is already stopped');
    await fake.start('c1');
    expect(await fake.state('c1')).toMatchObject({ status: 'Running', statusCode: 103, processes: 1 });
    expect((await failure(fake.start('c1'))).message).toBe('The instance is already running');
    expect((await failure(fake.unfreeze('c1'))).message).toBe('The instance is not frozen');
    await fake.freeze('c1');
    expect((await fake.state('c1')).status).toBe('Frozen');
    expect((await failure(fake.freeze('c1'))).message).toBe('The instance is already frozen');
    expect((await failure(fake.start('c1'))).message).toBe('The instance is frozen');
    expect((await failure(fake.exec('c1', { command: ['true'] }))).message).toBe('The instance is frozen');
    await fake.unfreeze('c1');
    expect((await failure(fake.delete('c1'))).message).toBe('The instance is running; stop it before deleting it');
    await fake.restart('c1');
    await fake.stop('c1', { force: true });
    expect((await failure(fake.freeze('c1'))).message).toBe('The instance is not running');
    await fake.delete('c1');
    const missing = await failure(fake.state('c1'));
    expect(isRuntimeError(missing, 'NotFound')).toBe(true);
    expect(missing.message).toBe('Instance "c1" not found');
    expect((await failure(fake.logs('c1'))).message).toBe('Instance "c1" not found');
  });

  it('validates like the LXC driver', async () => {
    const fake = driver();
    expect((await failure(fake.create({ name: '1bad', imageDirectory: IMAGE, privileged: true }))).code).toBe('InvalidArgument');
    expect((await failure(fake.create({ name: 'c1', imageDirectory: '/nope', privileged: true }))).code).toBe('NotFound');
    expect((await failure(fake.create({ name: 'c1', imageDirectory: IMAGE, privileged: true, config: { 'limits.kernel.x': '1' } }))).message).toMatch(
      /Unsupported limit/,
    );
    await fake.create({ name: 'c1', imageDirectory: IMAGE, privileged: false });
    expect((await failure(fake.create({ name: 'c1', imageDirectory: IMAGE, privileged: true }))).message).toBe('Instance "c1" already exists');
    expect((await fake.info('c1')).idmap).not.toBeNull();
  });

  it('renders image templates on create and start, and confines file access', async () => {
    const fake = driver();
    await fake.create({ name: 'web', imageDirectory: IMAGE, privileged: true });
    expect(await fake.readFile('web', '/etc/hostname')).toMatchObject({ type: 'file', content: Buffer.from('web\n') });
    await fake.start('web');
    expect(await fake.readFile('web', '/etc/boot-count')).toMatchObject({ content: Buffer.from('started by start\n') });
    await fake.writeFile('web', { path: '/root/up', type: 'symlink', target: '../../..', createParents: true });
    expect((await failure(fake.writeFile('web', { path: '/root/up/etc/passwd', content: 'x' }))).message).toMatch(/escapes the container root/);
    expect((await failure(fake.readFile('web', '/../etc/passwd'))).message).toMatch(/escapes the container root/);
    await fake.writeFile('web', { path: '/srv/a/b', content: 'data', createParents: true, uid: 5, mode: 0o600 });
    expect(await fake.listDirectory('web', '/srv/a')).toEqual([{ name: 'b', type: 'file', uid: 5, gid: 0, mode: 0o600, size: 4 }]);
    expect((await failure(fake.deleteFile('web', '/srv'))).message).toBe('Directory "/srv" is not empty');
    await fake.deleteFile('web', '/srv', { recursive: true });
    expect((await failure(fake.readFile('web', '/srv'))).code).toBe('NotFound');
  });

  it('snapshots and restores only when stopped', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const fake = driver({ clock: { now: () => new Date(now) } });
    await fake.create({ name: 'db', imageDirectory: IMAGE, privileged: true });
    await fake.writeFile('db', { path: '/data', content: 'v1' });
    await fake.createSnapshot('db', 'snap0');
    now += 1000;
    await fake.createSnapshot('db', 'snap1');
    await fake.writeFile('db', { path: '/data', content: 'v2' });
    await fake.writeFile('db', { path: '/later', content: 'x' });
    await fake.start('db');
    expect((await failure(fake.restoreSnapshot('db', 'snap0'))).message).toBe('The instance is running; stop it before restoring a snapshot');
    await fake.stop('db');
    await fake.restoreSnapshot('db', 'snap0');
    expect(await fake.readFile('db', '/data')).toMatchObject({ content: Buffer.from('v1') });
    expect((await failure(fake.readFile('db', '/later'))).code).toBe('NotFound');
    expect((await fake.listSnapshots('db')).map((s) => s.name)).toEqual(['snap0', 'snap1']);
    await fake.deleteSnapshot('db', 'snap0');
    expect((await failure(fake.restoreSnapshot('db', 'snap0'))).code).toBe('NotFound');
  });

  it('runs commands through the handler, with signals, exit codes and ptys', async () => {
    const fake = driver({
      execHandler: async (_name, request, io) => {
        if (request.command[0] === 'echo') {
          io.stdout.write(request.command.slice(1).join(' '));
          return 0;
        }
        if (request.command[0] === 'size') {
          io.stdout.write(JSON.stringify(io.windowSize()));
          return 0;
        }
        if (request.command[0] === 'wait') return new Promise<number>((resolve) => io.onSignal(() => resolve(42)));
        return 127;
      },
    });
    await fake.create({ name: 'c1', imageDirectory: IMAGE, privileged: true });
    expect((await failure(fake.exec('c1', { command: ['echo'] }))).message).toBe('The instance is not running');
    await fake.start('c1');
    const echo = await fake.exec('c1', { command: ['echo', 'a', 'b'] });
    const out: Buffer[] = [];
    echo.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    expect(await echo.exitCode).toBe(0);
    expect(Buffer.concat(out).toString()).toBe('a b');

    const waiting = await fake.exec('c1', { command: ['wait'] });
    await waiting.signal('SIGINT');
    expect(await waiting.exitCode).toBe(42);

    const tty = await fake.exec('c1', { command: ['size'], interactive: { columns: 80, rows: 24 } });
    expect(tty.stderr).toBeNull();
    const ttyOut: Buffer[] = [];
    tty.stdout.on('data', (chunk: Buffer) => ttyOut.push(chunk));
    await tty.exitCode;
    expect(Buffer.concat(ttyOut).toString()).toBe('{"columns":80,"rows":24}');

    const plain = driver();
    await plain.create({ name: 'c2', imageDirectory: IMAGE, privileged: true });
    await plain.start('c2');
    const missing = await plain.exec('c2', { command: ['htop'] });
    const err: Buffer[] = [];
    missing.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    expect(await missing.exitCode).toBe(127);
    expect(Buffer.concat(err).toString()).toBe('htop: not found\n');
    const sleeper = await fake.exec('c1', { command: ['nothing-listens'], interactive: { columns: 10, rows: 10 } });
    expect(await sleeper.exitCode).toBe(127);
  });

  it('applies limits like the kernel would and reads them back while running', async () => {
    const fake = driver({ hostCpus: [0, 1, 2, 3] });
    await fake.create({ name: 'c1', imageDirectory: IMAGE, privileged: true, config: { 'limits.memory': '100000000', 'user.x': 'kept' } });
    expect((await failure(fake.readLimits('c1'))).message).toBe('The instance is not running');
    expect(await fake.setLimits('c1', { 'limits.processes': '20' })).toBeNull();
    expect((await fake.info('c1')).config).toEqual({ 'user.x': 'kept', 'limits.processes': '20' });
    await fake.start('c1');
    expect(await fake.setLimits('c1', { 'limits.memory': '100000000', 'limits.cpu': '2', 'limits.cpu.allowance': '25ms/100ms' })).toEqual({
      memoryLimitBytes: 99999744,
      memorySoftLimitBytes: null,
      memorySwapLimitBytes: null,
      cpuSet: '0-1',
      cpuQuotaMicros: 25000,
      cpuPeriodMicros: 100000,
      cpuShares: 1024,
      processesMax: null,
    });
    expect((await fake.readLimits('c1')).cpuSet).toBe('0-1');
    expect((await failure(fake.setLimits('c1', { 'user.x': '1' }))).message).toBe('"user.x" is not a limits.* key');
    expect((await failure(fake.setLimits('c1', { 'limits.cpu': '9' }))).message).toMatch(/asks for 9 CPUs/);
  });

  it('renames stopped instances and reports NICs in the state', async () => {
    const fake = driver();
    await fake.create({
      name: 'old',
      imageDirectory: IMAGE,
      privileged: true,
      nics: [{ name: 'eth0', bridge: 'br0', ipv4: { address: '10.0.0.2', prefixLength: 24 } }],
    });
    const renamed = await fake.rename('old', 'new');
    expect(renamed).toMatchObject({ name: 'new', hostname: 'new' });
    await fake.start('new');
    const state = await fake.state('new');
    expect(state.network?.eth0).toMatchObject({ addresses: [{ address: '10.0.0.2', netmask: '24' }], hostName: renamed.nics[0].hostName });
    expect((await failure(fake.rename('new', 'other'))).message).toBe('The instance is running; stop it before renaming it');
  });

  it('fails the next call of an operation on request', async () => {
    const fake = driver();
    await fake.create({ name: 'c1', imageDirectory: IMAGE, privileged: true });
    fake.failNext('start', new RuntimeError('Failed', 'Cannot start instance "c1"', 'no space left'));
    expect((await failure(fake.start('c1'))).message).toBe('Cannot start instance "c1": no space left');
    await fake.start('c1');
    expect((await fake.state('c1')).status).toBe('Running');
  });
});
