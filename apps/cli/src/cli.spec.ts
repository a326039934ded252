import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { run } from './cli';
import { packageVersion } from './version';

function io(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** A stand-in daemon on a unix socket that answers every request with `reply`. */
async function fakeDaemon(dir: string, status: number, reply: unknown): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(reply));
  });
  await new Promise<void>((r) => server.listen(path.join(dir, 'unix.socket'), r));
  return server;
}

describe('cube', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-spec-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('version prints the package version', async () => {
    const t = io({ CUBED_DIR: tmp });
    expect(await run(['version'], t.io)).toBe(0);
    expect(t.stdout()).toBe(`${packageVersion()}\n`);
  });

  it('info without a running daemon fails with exit code 1 and Error: on stderr', async () => {
    const t = io({ CUBED_DIR: tmp });
    expect(await run(['info'], t.io)).toBe(1);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toBe(
      `Error: cannot connect to the Cubed daemon at ${path.join(tmp, 'unix.socket')}: no such socket\n`,
    );
  });

  it('info prints the server facts as YAML', async () => {
    const server = await fakeDaemon(tmp, 200, {
      type: 'sync',
      status: 'Success',
      status_code: 200,
      operation: '',
      error_code: 0,
      error: '',
      metadata: { api_version: '1.0', environment: { server_name: 'n1', server_version: '9.9.9', kernel: 'Linux' } },
    });
    try {
      const t = io({ CUBED_DIR: tmp });
      expect(await run(['info'], t.io)).toBe(0);
      expect(YAML.parse(t.stdout())).toEqual({ server_name: 'n1', server_version: '9.9.9', api_version: '1.0' });
      expect(t.stderr()).toBe('');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('prints the error of an error envelope', async () => {
    const server = await fakeDaemon(tmp, 403, {
      type: 'error',
      status: '',
      status_code: 0,
      operation: '',
      error_code: 403,
      error: 'not authorized',
      metadata: null,
    });
    try {
      const t = io({ CUBED_DIR: tmp });
      expect(await run(['info'], t.io)).toBe(1);
      expect(t.stderr()).toBe('Error: not authorized\n');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('rejects an unknown command with exit code 1', async () => {
    const t = io({ CUBED_DIR: tmp });
    expect(await run(['frobnicate'], t.io)).toBe(1);
    expect(t.stderr()).toMatch(/unknown command 'frobnicate'/);
  });
});
