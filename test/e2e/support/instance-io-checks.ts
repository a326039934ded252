/**
 * End-to-end checks of exec and files with the real clients: Debian's `lxc` 5.0.2 and python3-pylxd,
 * against a daemon's unix socket and a running busybox container. Each check runs the clients the way
 * a person would and asserts what they print and how they exit.
 *
 * `lxc` finds the daemon through LXD_DIR (`<LXD_DIR>/unix.socket`) and keeps its configuration in a
 * private HOME and LXD_CONF, created by `LxcClient.create` and removed by `cleanup()`. pylxd runs
 * under Debian's /usr/bin/python3 (where python3-pylxd is installed).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pty from 'node-pty';

export interface ClientResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const DEBIAN_PYTHON = '/usr/bin/python3';

function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string | Buffer, timeoutMs = 30_000): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** The real `lxc` client, pointed at one daemon, with a configuration of its own. */
export class LxcClient {
  private constructor(
    /** The daemon's state directory (LXD_DIR). */
    readonly lxdDir: string,
    /** Private HOME; LXD_CONF is `<home>/lxc-config`. */
    readonly home: string,
  ) {}

  static create(lxdDir: string): LxcClient {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-lxc-client-'));
    // A configuration with the local remote: without one, lxc greets a first-time user on stderr.
    fs.mkdirSync(path.join(home, 'lxc-config'), { mode: 0o750 });
    fs.writeFileSync(path.join(home, 'lxc-config', 'config.yml'), 'default-remote: local\nremotes:\n  local:\n    addr: unix://\n    public: false\n');
    return new LxcClient(lxdDir, home);
  }

  get env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: this.home, LXD_DIR: this.lxdDir, LXD_CONF: path.join(this.home, 'lxc-config'), LANG: 'C.UTF-8' };
  }

  /** `lxc <args>`, with `input` as its standard input (closed at once without it). */
  run(args: readonly string[], input?: string | Buffer, timeoutMs?: number): Promise<ClientResult> {
    return runProcess('lxc', args, this.env, input, timeoutMs);
  }

  /**
   * Adds the daemon at `address` (host:port) as remote `name` over HTTPS, trusting this client's
   * certificate with the server's trust password, as `lxc remote add` does.
   */
  async addRemote(name: string, address: string, password: string): Promise<void> {
    const r = await this.run(['remote', 'add', name, `https://${address}`, '--accept-certificate', `--password=${password}`]);
    if (r.code !== 0) throw new Error(`lxc remote add ${name} failed (exit ${r.code}): ${r.stderr}`);
  }

  /** A scratch directory for files to push and pull, removed with the client. */
  scratch(name: string): string {
    const dir = path.join(this.home, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  cleanup(): void {
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** Asserts that a client run succeeded, showing what it printed on stderr when it did not. */
function expectSuccess(r: ClientResult): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
}

/** `<remote>:<instance>` for lxc, or just the instance on the local daemon. */
function target(instance: string, remote?: string): string {
  return remote ? `${remote}:${instance}` : instance;
}

/** `lxc exec c1 -- uname -a`: exit 0 and the kernel's line. */
export async function checkExecOutput(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  const r = await lxc.run(['exec', target(instance, remote), '--', 'uname', '-a']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(/^Linux \S+ .*\n$/);
  expect(r.stdout).toContain(os.release());
}

/** `lxc exec c1 -- sh -c 'exit 3'` exits 3; a missing command gives LXD's error and 127. */
export async function checkExecExitCodes(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  expect(await lxc.run(['exec', target(instance, remote), '--', 'sh', '-c', 'exit 3'])).toMatchObject({ code: 3, stdout: '' });
  expect(await lxc.run(['exec', target(instance, remote), '--', 'sh', '-c', 'echo out; echo err >&2'])).toMatchObject({ code: 0, stdout: 'out\n', stderr: 'err\n' });
  const missing = await lxc.run(['exec', target(instance, remote), '--', '/no/such/command']);
  expect(missing.code).toBe(127);
  expect(missing.stderr).toContain('Error: Command not found');
}

/** `lxc exec --user/--group/--cwd/--env`, and LXD's default environment and working directory for root. */
export async function checkExecUserCwdEnvironment(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  const as1000 = await lxc.run(['exec', '--user', '1000', '--group', '1001', '--cwd', '/tmp', '--env', 'GREETING=hello there', target(instance, remote), '--', 'sh', '-c', 'id -u; id -g; pwd; echo "$GREETING"']);
  expect(as1000).toMatchObject({ code: 0, stdout: '1000\n1001\n/tmp\nhello there\n' });
  const root = await lxc.run(['exec', target(instance, remote), '--', 'sh', '-c', 'pwd; echo "$HOME $USER $LANG"; echo "$PATH"']);
  expect(root).toMatchObject({ code: 0, stdout: '/root\n/root root C.UTF-8\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' });
}

/** A signal to `lxc exec` reaches the command through the control websocket: SIGTERM ends `sleep` with 143. */
export async function checkExecSignalForwarding(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  const child = spawn('lxc', ['exec', target(instance, remote), '--', 'sh', '-c', 'echo started; exec sleep 300'], { env: lxc.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    const started = Date.now();
    while (!stdout.includes('started')) {
      if (Date.now() - started > 15_000) throw new Error('the command did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
  } finally {
    child.kill('SIGKILL');
  }
}

/** `echo hi | lxc exec c1 -- cat`: standard input reaches the command and its end ends it. */
export async function checkExecStdin(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  expect(await lxc.run(['exec', target(instance, remote), '--', 'cat'], 'hi\n')).toMatchObject({ code: 0, stdout: 'hi\n', stderr: '' });
  const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
  expect(await lxc.run(['exec', target(instance, remote), '--', 'wc', '-l'], lines)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\s*2000\n$/) });
}

/** `lxc exec -t c1 -- sh` on a pty: a terminal inside, its size, typed commands, the exit status. */
export async function checkInteractiveExec(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  const terminal = pty.spawn('lxc', ['exec', '-t', target(instance, remote), '--', 'sh'], { cols: 101, rows: 33, cwd: lxc.home, env: { ...lxc.env, TERM: 'xterm' } as Record<string, string> });
  let output = '';
  terminal.onData((data) => (output += data));
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  const waitFor = async (pattern: RegExp, what: string): Promise<void> => {
    const started = Date.now();
    while (!pattern.test(output)) {
      if (Date.now() - started > 15_000) throw new Error(`no ${what} from the interactive exec; output so far: ${JSON.stringify(output)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    terminal.write('tty; stty size; echo "term=$TERM"\r');
    await waitFor(/^\/dev\/pts\/\d+\r?$/m, 'tty');
    await waitFor(/^33 101\r?$/m, 'terminal size');
    await waitFor(/^term=xterm\r?$/m, 'TERM');
    terminal.resize(120, 40);
    await new Promise((r) => setTimeout(r, 200));
    terminal.write('stty size\r');
    await waitFor(/^40 120\r?$/m, 'new terminal size');
    terminal.write('exit 4\r');
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running after 15 s'), 15_000)))]);
    clearTimeout(timer);
    expect(status).toBe(4);
  } finally {
    terminal.kill();
  }
}

/** `lxc file push` with --mode/--uid/--gid and `lxc file pull` of the same file. */
export async function checkFilePushPull(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  const dir = lxc.scratch('push-pull');
  const source = path.join(dir, 'pushed.txt');
  const content = `pushed by lxc ${Date.now()}\n`;
  fs.writeFileSync(source, content);
  expectSuccess(await lxc.run(['file', 'push', '--mode', '0640', '--uid', '1000', '--gid', '1001', source, `${target(instance, remote)}/root/pushed.txt`]));
  expect(await lxc.run(['exec', target(instance, remote), '--', 'stat', '-c', '%u %g %a', '/root/pushed.txt'])).toMatchObject({ code: 0, stdout: '1000 1001 640\n' });
  const pulled = path.join(dir, 'pulled.txt');
  expectSuccess(await lxc.run(['file', 'pull', `${target(instance, remote)}/root/pushed.txt`, pulled]));
  expect(fs.readFileSync(pulled, 'utf8')).toBe(content);
  expect(fs.statSync(pulled).mode & 0o777).toBe(0o640);
  // Pulled to standard output as well.
  expect(await lxc.run(['file', 'pull', `${target(instance, remote)}/etc/hostname`, '-'])).toMatchObject({ code: 0, stdout: `${instance}\n` });
  expectSuccess(await lxc.run(['file', 'delete', `${target(instance, remote)}/root/pushed.txt`]));
  expect((await lxc.run(['exec', target(instance, remote), '--', 'test', '-e', '/root/pushed.txt'])).code).toBe(1);
}

/** `lxc file push -r` and `lxc file pull -r` of a directory tree with a nested file and a symlink. */
export async function checkRecursivePushPull(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  const dir = lxc.scratch('recursive');
  const tree = path.join(dir, 'tree');
  fs.mkdirSync(path.join(tree, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'top.txt'), 'top\n');
  fs.writeFileSync(path.join(tree, 'nested', 'deep.txt'), 'deep\n');
  fs.chmodSync(path.join(tree, 'nested', 'deep.txt'), 0o600);
  fs.symlinkSync('nested/deep.txt', path.join(tree, 'link'));
  expectSuccess(await lxc.run(['file', 'push', '-r', tree, `${target(instance, remote)}/tmp/`]));
  const listing = await lxc.run(['exec', target(instance, remote), '--', 'sh', '-c', 'cd /tmp/tree && find . | sort && cat nested/deep.txt && readlink link && stat -c %a nested/deep.txt']);
  expect(listing).toMatchObject({ code: 0, stdout: '.\n./link\n./nested\n./nested/deep.txt\n./top.txt\ndeep\nnested/deep.txt\n600\n' });
  const back = path.join(dir, 'back');
  fs.mkdirSync(back);
  expectSuccess(await lxc.run(['file', 'pull', '-r', `${target(instance, remote)}/tmp/tree`, back]));
  expect(fs.readFileSync(path.join(back, 'tree', 'top.txt'), 'utf8')).toBe('top\n');
  expect(fs.readFileSync(path.join(back, 'tree', 'nested', 'deep.txt'), 'utf8')).toBe('deep\n');
  expect(fs.statSync(path.join(back, 'tree', 'nested', 'deep.txt')).mode & 0o777).toBe(0o600);
  expect(fs.readlinkSync(path.join(back, 'tree', 'link'))).toBe('/tmp/tree/nested/deep.txt');
  expectSuccess(await lxc.run(['exec', target(instance, remote), '--', 'rm', '-r', '/tmp/tree']));
}

/** A pull through `../` or through a symlink out of the container is refused with a clear error. */
export async function checkEscapeRefused(lxc: LxcClient, instance: string, remote?: string): Promise<void> {
  const dir = lxc.scratch('escape');
  const dotdot = await lxc.run(['file', 'pull', `${target(instance, remote)}/../../../etc/shadow`, path.join(dir, 'shadow')]);
  expect(dotdot.code).not.toBe(0);
  expect(dotdot.stderr).toMatch(/Error: .*escapes the container root/);
  expectSuccess(await lxc.run(['exec', target(instance, remote), '--', 'ln', '-sfn', '../../../../../../etc', '/root/host-etc']));
  const viaLink = await lxc.run(['file', 'pull', `${target(instance, remote)}/root/host-etc/shadow`, path.join(dir, 'shadow')]);
  expect(viaLink.code).not.toBe(0);
  expect(viaLink.stderr).toMatch(/Error: .*escapes the container root through the symbolic link/);
  expect(fs.existsSync(path.join(dir, 'shadow'))).toBe(false);
  await lxc.run(['exec', target(instance, remote), '--', 'rm', '/root/host-etc']);
}

/** Runs a Python script with pylxd connected to the daemon's unix socket; its JSON output. */
async function pylxd(socketPath: string, script: string, args: readonly string[]): Promise<unknown> {
  const prelude = [
    'import json, sys, urllib.parse',
    'import pylxd',
    "client = pylxd.Client(endpoint='http+unix://' + urllib.parse.quote(sys.argv[1], safe=''))",
    // pylxd 2.2 knows containers; later versions call them instances.
    "instances = getattr(client, 'instances', client.containers)",
  ].join('\n');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-pylxd-'));
  try {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' };
    const r = await runProcess(DEBIAN_PYTHON, ['-c', `${prelude}\n${script}`, socketPath, ...args], env);
    if (r.code !== 0) throw new Error(`pylxd script failed (exit ${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** pylxd `instances.get(name).execute([...])`: exit code, stdout and stderr apart, stdin payload. */
export async function checkPylxdExecute(socketPath: string, instance: string): Promise<void> {
  const result = await pylxd(
    socketPath,
    [
      'c = instances.get(sys.argv[2])',
      "r = c.execute(['sh', '-c', 'echo out; echo err >&2; exit 2'])",
      "s = c.execute(['cat'], stdin_payload='from pylxd\\n')",
      "print(json.dumps({'code': r.exit_code, 'out': r.stdout, 'err': r.stderr, 'stdin_code': s.exit_code, 'stdin_out': s.stdout}))",
    ].join('\n'),
    [instance],
  );
  expect(result).toEqual({ code: 2, out: 'out\n', err: 'err\n', stdin_code: 0, stdin_out: 'from pylxd\n' });
}

/** pylxd `.files.put/get/delete`, with a mode and owner. */
export async function checkPylxdFiles(socketPath: string, instance: string): Promise<void> {
  const result = await pylxd(
    socketPath,
    [
      'c = instances.get(sys.argv[2])',
      "c.files.put('/root/from-pylxd.bin', bytes(range(256)), mode=0o600, uid=12, gid=34)",
      "data = c.files.get('/root/from-pylxd.bin')",
      "st = c.execute(['stat', '-c', '%u %g %a', '/root/from-pylxd.bin']).stdout",
      "c.files.delete('/root/from-pylxd.bin')",
      "gone = c.execute(['test', '-e', '/root/from-pylxd.bin']).exit_code",
      "print(json.dumps({'same': data == bytes(range(256)), 'stat': st, 'gone': gone}))",
    ].join('\n'),
    [instance],
  );
  expect(result).toEqual({ same: true, stat: '12 34 600\n', gone: 1 });
}
