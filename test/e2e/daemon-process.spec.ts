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
    const shown = YAML.parse(info.stdout);
    expect(shown).toMatchObject({ api_version: '1.0', auth: 'trusted', environment: { server_name: os.hostname(), server_version: version, server_clustered: false } });

    const socket = path.join(tmp, 'state', 'unix.socket');
    expect(fs.statSync(path.join(tmp, 'state')).mode & 0o777).toBe(0o711);
    expect(fs.statSync(socket).mode & 0o777).toBe(0o660);

    daemon.kill('SIGTERM');
    expect(await exited(daemon)).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(socket)).toBe(false);
    expect(daemonLog).toMatch(/listening on/);
  });
});

describe('cubed sql against a running daemon', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let daemon: ChildProcess | undefined;

  const startDaemon = async (): Promise<void> => {
    daemon = spawn(cubed, [], { env, stdio: 'ignore' });
    const ready = await runBin(cubed, ['waitready', '--timeout', '15'], env);
    expect(ready.code).toBe(0);
  };
  const stopDaemon = async (): Promise<void> => {
    if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return;
    daemon.kill('SIGTERM');
    await exited(daemon);
  };
  const sql = (...args: string[]): Promise<Result> => runBin(cubed, ['sql', ...args], env);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-sql-e2e-'));
    env = { ...process.env, CUBED_DIR: path.join(tmp, 'state') };
    await startDaemon();
  });

  afterAll(async () => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGKILL');
      await exited(daemon);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes and reads the global database, with LXD-style output', async () => {
    expect(await sql('global', 'CREATE TABLE pets (name TEXT PRIMARY KEY, legs INTEGER)')).toMatchObject({ code: 0, stdout: 'Rows affected: 0\n' });
    const batch = await sql('global', "INSERT INTO pets VALUES ('cat', 4); INSERT INTO pets VALUES ('bird', 2)");
    expect(batch).toMatchObject({ code: 0, stdout: '=> Query 0:\n\nRows affected: 1\n\n=> Query 1:\n\nRows affected: 1\n\n' });
    const select = await sql('global', 'SELECT name, legs FROM pets ORDER BY name');
    expect(select).toMatchObject({ code: 0, stderr: '' });
    expect(select.stdout).toBe(['+------+------+', '| name | legs |', '+------+------+', '| bird | 2    |', '| cat  | 4    |', '+------+------+', ''].join('\n'));
    expect((await sql('global', 'SELECT name FROM pets ORDER BY name', '--format', 'csv')).stdout).toBe('bird\ncat\n');
    const schema = await sql('global', '.schema');
    expect(schema.stdout).toMatch(/CREATE TABLE pets \(name TEXT PRIMARY KEY, legs INTEGER\)/);
    expect(schema.stdout).toMatch(/CREATE TABLE instances/); // the global schema, migrated at start
    expect((await sql('global', '.dump')).stdout).toMatch(/INSERT INTO "pets"\(rowid,"name","legs"\) VALUES\(2,'bird',2\);/);
    expect((await sql('global', '.checksums')).stdout).toMatch(/^pets [0-9a-f]{64}$/m);
  });

  it('refuses bad SQL and non-deterministic writes with a clear error and exit code 1', async () => {
    const bad = await sql('global', 'SELEKT 1');
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^Error: .*syntax error/);
    const clock = await sql('global', "INSERT INTO pets VALUES ('fish', random())");
    expect(clock.code).toBe(1);
    expect(clock.stderr).toMatch(/^Error: non-deterministic SQL in a replicated write: random\(\)/);
    expect((await sql('nowhere', 'SELECT 1')).stderr).toMatch(/Invalid database type "nowhere"/);
    expect((await sql('global', 'SELECT 1', '--format', 'xml')).stderr).toMatch(/Invalid format "xml"/);
    expect((await sql('global', 'SELECT count(*) AS n FROM pets')).stdout).toMatch(/\| 2 +\|/);
  });

  it('reads the local database and queries from standard input', async () => {
    const local = await sql('local', 'SELECT version FROM schema');
    expect(local).toMatchObject({ code: 0 });
    expect(local.stdout).toMatch(/\| version \|/);
    const fromStdin = await new Promise<Result>((resolve) => {
      const child = execFile(cubed, ['sql', 'global', '-'], { env }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      );
      child.stdin!.end('SELECT legs FROM pets WHERE name = \'cat\'');
    });
    expect(fromStdin).toMatchObject({ code: 0 });
    expect(fromStdin.stdout).toMatch(/\| 4 +\|/);
  });

  it('keeps the global database across a restart', async () => {
    await stopDaemon();
    await startDaemon();
    expect((await sql('global', 'SELECT name FROM pets ORDER BY name', '--format', 'csv')).stdout).toBe('bird\ncat\n');
  });
});
