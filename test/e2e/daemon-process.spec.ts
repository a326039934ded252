/**
 * End to end: the BUILT daemon and CLI (bin/cubed, bin/cube → dist/) as separate processes.
 * Needs `npm run build` first (scripts/test.sh does it).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';

const repo = path.resolve(__dirname, '../..');
const cubed = path.join(repo, 'bin/cubed');
const cube = path.join(repo, 'bin/cube');
const version = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;

// Process start-up dominates; leave room for a loaded machine.
jest.setTimeout(30_000);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBin(bin: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('built daemon and CLI as processes', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let daemon: ChildProcess | undefined;
  let daemonLog = '';

  beforeAll(() => {
    for (const app of ['daemon', 'cli']) {
      const main = path.join(repo, `dist/apps/${app}/apps/${app}/src/main.js`);
      if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-e2e-'));
    env = { ...process.env, CUBED_DIR: path.join(tmp, 'state') };
  });

  afterAll(async () => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGKILL');
      await exited(daemon);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('cube info without a daemon exits 1 with Error: on stderr', async () => {
    const r = await runBin(cube, ['info'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: cannot connect to the Cubed daemon at .*unix\.socket: /);
  });

  it('cubed waitready times out without a daemon', async () => {
    const r = await runBin(cubed, ['waitready', '--timeout', '0.3'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*did not answer within 0\.3 s/);
  });

  it('starts, answers cube info, and stops cleanly on SIGTERM', async () => {
    daemon = spawn(cubed, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (c: Buffer) => (daemonLog += c.toString()));
    daemon.stderr?.on('data', (c: Buffer) => (daemonLog += c.toString()));

    const ready = await runBin(cubed, ['waitready', '--timeout', '10'], env);
    expect({ ...ready, daemonLog }).toMatchObject({ code: 0 });

    const info = await runBin(cube, ['info'], env);
    expect({ ...info, daemonLog }).toMatchObject({ code: 0, stderr: '' });
    expect(YAML.parse(info.stdout)).toEqual({ server_name: os.hostname(), server_version: version, api_version: '1.0' });

    const socket = path.join(tmp, 'state', 'unix.socket');
    expect(fs.statSync(path.join(tmp, 'state')).mode & 0o777).toBe(0o711);
    expect(fs.statSync(socket).mode & 0o777).toBe(0o660);

    daemon.kill('SIGTERM');
    expect(await exited(daemon)).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(socket)).toBe(false);
    expect(daemonLog).toMatch(/listening on/);
  });
});
